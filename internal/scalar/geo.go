package scalar

import (
	"math"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"
)

// Geo points. ES|QL's geo_point has no kind of its own here: a point is
// its WKT text, "POINT (x y)" with x the longitude and y the latitude in
// degrees, which to_geopoint makes and st_x, st_y and st_distance read
// (ES|QL reference: TO_GEOPOINT takes a string in the WKT Point format).

// parsePoint reads a WKT point: "POINT (x y)", in any case, a third
// coordinate (z) ignored.
func parsePoint(s string) (x, y float64, ok bool) {
	t := strings.TrimSpace(s)
	if len(t) < 5 || !strings.EqualFold(t[:5], "point") {
		return 0, 0, false
	}
	t = strings.TrimSpace(t[5:])
	inner, found := strings.CutPrefix(t, "(")
	if !found {
		return 0, 0, false
	}
	if inner, found = strings.CutSuffix(inner, ")"); !found {
		return 0, 0, false
	}
	f := strings.Fields(inner)
	if len(f) != 2 && len(f) != 3 {
		return 0, 0, false
	}
	x, err1 := strconv.ParseFloat(f[0], 64)
	y, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || math.IsInf(x, 0) || math.IsInf(y, 0) || math.IsNaN(x) || math.IsNaN(y) {
		return 0, 0, false
	}
	return x, y, true
}

func formatPoint(x, y float64) string {
	return "POINT (" + strconv.FormatFloat(x, 'f', -1, 64) + " " + strconv.FormatFloat(y, 'f', -1, 64) + ")"
}

// pointOf reads a point argument.
func pointOf(v event.Value) (x, y float64, ok bool) {
	s, isStr := v.Str()
	if !isStr || v.Kind() != event.String {
		return 0, 0, false
	}
	return parsePoint(s)
}

// esqlToGeopoint converts WKT point text to a point; other text is null.
func esqlToGeopoint(v event.Value) event.Value {
	x, y, ok := pointOf(v)
	if !ok {
		return event.NullValue
	}
	return event.StringValue(formatPoint(x, y))
}

// esqlStCoord is ST_X (x) or ST_Y (y) of a point.
func esqlStCoord(y bool) func(*Context, []event.Value) event.Value {
	return func(_ *Context, a []event.Value) event.Value {
		px, py, ok := pointOf(a[0])
		switch {
		case !ok:
			return event.NullValue
		case y:
			return event.DoubleValue(py)
		}
		return event.DoubleValue(px)
	}
}

// earthRadius is the Earth's mean radius in meters, which Elasticsearch
// measures geographic distances with.
const earthRadius = 6371008.7714

// esqlStDistance is ST_DISTANCE of two geo points: the great-circle
// distance in meters (haversine).
func esqlStDistance(_ *Context, a []event.Value) event.Value {
	x1, y1, ok1 := pointOf(a[0])
	x2, y2, ok2 := pointOf(a[1])
	if !ok1 || !ok2 {
		return event.NullValue
	}
	rad := math.Pi / 180
	lat1, lat2 := y1*rad, y2*rad
	dLat, dLon := (y2-y1)*rad, (x2-x1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return event.DoubleValue(2 * earthRadius * math.Asin(math.Sqrt(min(1, h))))
}
