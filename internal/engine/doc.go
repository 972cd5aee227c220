// Package engine wires tripline together: it turns rules into running
// programs (front end, plan, executor), feeds them from the log readers in
// one pass, replays their schedules on event time and turns result rows
// into alerts without duplicates.
//
// engine may import every internal package; nothing imports engine but
// the command and the server.
package engine
