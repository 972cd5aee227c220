package timefmt

import (
	"testing"
)

func TestStrftime(t *testing.T) {
	tm := mustTime("2024-03-05T09:07:03.123456789Z") // a Tuesday
	cases := []struct{ layout, want string }{
		{"%Y-%m-%d %H:%M:%S", "2024-03-05 09:07:03"},
		{"%y %b %B %a %A %j", "24 Mar March Tue Tuesday 065"},
		{"%I:%M %p", "09:07 AM"},
		{"%e|%k|%l", " 5| 9| 9"},
		{"%F %T", "2024-03-05 09:07:03"},
		{"%s", "1709629623"},
		{"%3N %6N %N %Q", "123 123456 123456789 123"},
		{"%Z %z %:z", "UTC +0000 +00:00"},
		{"%u %w %V %U %W", "2 2 10 09 10"},
		{"100%% %q", "100% %q"},
		{"%D %R %c", "03/05/24 09:07 Tue Mar  5 09:07:03 2024"},
		{"trailing %", "trailing %"},
	}
	for _, c := range cases {
		if got := string(AppendStrftime(nil, tm, c.layout)); got != c.want {
			t.Errorf("strftime(%q) = %q, want %q", c.layout, got, c.want)
		}
	}
	if got := string(AppendStrftime(nil, mustTime("2024-03-05T15:00:00Z"), "%I %p")); got != "03 PM" {
		t.Errorf("afternoon %%I %%p = %q", got)
	}
}
