package attendance_test

import "jiaxiao/app/setting"

func settingDefaults() setting.Settings { return setting.Defaults() }
