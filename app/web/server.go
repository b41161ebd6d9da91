// Package web is the HTTP layer: routes, middleware, and thin handlers that
// bind a form, call one domain service, and render a templ view. It is the
// only package that imports Echo.
package web

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"jiaxiao/app/archive"
	"jiaxiao/app/attendance"
	"jiaxiao/app/auth"
	"jiaxiao/app/erasure"
	"jiaxiao/app/event"
	"jiaxiao/app/export"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/homework"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
	"jiaxiao/app/notify"
	"jiaxiao/app/privacy"
	"jiaxiao/app/school"
	"jiaxiao/app/services"
	"jiaxiao/app/setting"
	"jiaxiao/app/studentleave"
	"jiaxiao/app/wordlist"
	"jiaxiao/storage"
)

// Options are what the web layer is built from.
type Options struct {
	DB         *gorm.DB
	Store      storage.Store
	Auth       *auth.Service
	Groups     *group.Service
	School     *school.Service
	Settings   *setting.Service
	Messages   *message.Service
	Notices    *notice.Service
	Homework   *homework.Service
	Archive    *archive.Service
	Attendance *attendance.Service
	Words      *wordlist.Service
	Files      *file.Service
	Centre     *notify.Centre
	Export     *export.Service
	Erasure    *erasure.Service
	Privacy    *privacy.Service
	Leave      *studentleave.Service
	Hub        *event.Hub
	Log        *slog.Logger
	// Location is the school's time zone for displayed times.
	Location      *time.Location
	Metrics       *prometheus.Registry
	SecureCookies bool
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// (JIAXIAO_TRUSTED_PROXIES); nil: loopback.
	TrustedProxies []*net.IPNet
	Now            func() time.Time
}

// OptionsFor are the options for the services of svc and the live events
// of hub; the caller adds the rest (metrics, cookies, proxies).
func OptionsFor(svc *services.Services, hub *event.Hub) Options {
	return Options{DB: svc.DB, Store: svc.Store, Auth: svc.Auth, Groups: svc.Groups, School: svc.School, Settings: svc.Settings,
		Messages: svc.Messages, Notices: svc.Notices, Homework: svc.Homework, Archive: svc.Archive, Attendance: svc.Attendance, Words: svc.Words,
		Files: svc.Files, Centre: svc.Centre, Export: svc.Export, Erasure: svc.Erasure, Privacy: svc.Privacy, Leave: svc.Leave, Hub: hub, Location: svc.Location(), Log: svc.Log()}
}

// Server holds the handlers' dependencies.
type Server struct {
	db         *gorm.DB
	store      storage.Store
	auth       *auth.Service
	groups     *group.Service
	school     *school.Service
	settings   *setting.Service
	messages   *message.Service
	notices    *notice.Service
	homework   *homework.Service
	archive    *archive.Service
	attendance *attendance.Service
	words      *wordlist.Service
	files      *file.Service
	centre     *notify.Centre
	export     *export.Service
	erasure    *erasure.Service
	privacy    *privacy.Service
	leaves     *studentleave.Service
	hub        *event.Hub
	shared     sharedItems[liveMessage]
	badgeReads chan struct{} // bounds the streams' concurrent unread counts
	loc        *time.Location
	log        *slog.Logger
	metrics    *prometheus.Registry
	secure     bool
	now        func() time.Time
}

// New builds the Echo instance with every route and middleware.
func New(o Options) *echo.Echo {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = prometheus.NewRegistry()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	s := &Server{db: o.DB, store: o.Store, auth: o.Auth, groups: o.Groups, school: o.School, settings: o.Settings, loc: o.Location,
		messages: o.Messages, notices: o.Notices, homework: o.Homework, archive: o.Archive, attendance: o.Attendance, words: o.Words, files: o.Files, centre: o.Centre, export: o.Export, erasure: o.Erasure, privacy: o.Privacy, leaves: o.Leave, hub: o.Hub,
		log: o.Log, metrics: o.Metrics, secure: o.SecureCookies, now: o.Now}
	s.badgeReads = make(chan struct{}, 4)
	s.forgetOnChange()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Believe X-Forwarded-For only from the configured proxies (loopback
	// when none are given): anyone else could name any address and dodge
	// the throttles or frame someone.
	proxies := o.TrustedProxies
	if proxies == nil {
		proxies = []*net.IPNet{{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)}, {IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)}}
	}
	trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range proxies {
		trust = append(trust, echo.TrustIPRange(n))
	}
	e.IPExtractor = echo.ExtractIPFromXFFHeader(trust...)
	e.HTTPErrorHandler = s.handleError
	e.Server.ReadHeaderTimeout = 10 * time.Second
	// A request, body included, must arrive within ReadTimeout, so a body
	// trickled in byte by byte cannot hold memory for long. It does not
	// touch the live streams, which read nothing after their headers.
	e.Server.ReadTimeout = readTimeout
	e.Server.IdleTimeout = 120 * time.Second

	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic", "err", err, "path", c.Request().URL.Path, "stack", string(stack))
		return err
	}}))
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID}))
	e.Use(securityHeaders)
	e.Use(s.requestLog(newHTTPMetrics(o.Metrics)))
	e.Use(s.session)
	e.Use(s.currentUser)
	e.Use(s.takeFlash)
	e.Use(bodyBudget)
	e.Use(s.csrf)
	e.Use(s.consentGate)
	e.Use(cleanForm)
	e.Use(s.pokeAfterChange)
	s.routes(e)
	return e
}

// forgetOnChange drops this instance's cached copies when the hub reads
// the event of a change made on any instance: the settings, the calendar,
// a user's sessions, a user's unread count, the groups' counts and their
// newest feed pages.
func (s *Server) forgetOnChange() {
	if s.hub == nil {
		return
	}
	if s.settings != nil {
		s.hub.Listen(event.Settings, func(event.Event) { s.settings.Invalidate() })
		s.hub.Listen(event.Calendar, func(event.Event) { s.settings.InvalidateCalendar() })
	}
	if s.privacy != nil {
		s.hub.Listen(event.Settings, func(event.Event) { s.privacy.Forget() })
	}
	if s.auth != nil {
		s.hub.Listen(event.Account, func(e event.Event) { s.auth.ForgetUser(e.UserID) })
	}
	if s.centre != nil {
		s.hub.Listen(event.Badge, func(e event.Event) { s.centre.Forget(e.UserID) })
	}
	if s.groups != nil {
		s.hub.Listen(event.Members, func(event.Event) { s.groups.ForgetCounts() })
	}
	if s.messages != nil {
		for _, kind := range []string{event.Message, event.Held, event.Deleted} {
			s.hub.Listen(kind, func(e event.Event) { s.messages.Forget(e.GroupID) })
		}
		for _, kind := range []string{event.Members, event.Account} {
			s.hub.Listen(kind, func(event.Event) { s.messages.ForgetAll() })
		}
	}
}

func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler, operatorOnly)
	e.GET("/debug/pprof/*", pprofHandler, operatorOnly)
	e.GET("/static/*", staticHandler())
	e.GET("/favicon.ico", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })

	e.GET("/login", s.loginPage)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	e.GET("/register", s.registerPage)
	e.POST("/register", s.register)
	e.POST("/register/code", s.registerCode)
	e.GET("/activate", s.activatePage)
	e.POST("/activate", s.activate)

	// Route-level middleware, not a Group: a group with middleware would
	// also catch unknown paths and turn their 404 into a login redirect.
	e.GET("/", s.home, requireUser)
	e.GET("/me", s.me, requireUser)
	e.GET("/me/export", s.meExport, requireUser)
	e.POST("/me/logout-others", s.logoutOthers, requireUser)
	e.GET("/me/delete", s.closePage, requireUser)
	e.POST("/me/delete", s.closeAccount, requireUser)
	e.GET("/me/access", s.meAccess, requireUser)
	e.GET("/privacy", s.privacyPage)
	e.GET("/privacy/consent", s.consentPage, requireUser)
	e.POST("/privacy/consent", s.agree, requireUser)
	e.POST("/privacy/refuse", s.refuse, requireUser)

	e.GET("/groups", s.groupList, requireUser)
	e.GET("/groups/:id", s.groupShow, requireUser)
	e.POST("/groups/:id/rename", s.groupRename, requireUser)
	e.POST("/groups/:id/messages", s.postMessage, requireUser)
	e.GET("/groups/:id/messages/:mid", s.messagePage, requireUser)
	e.POST("/groups/:id/messages/:mid/delete", s.deleteMessage, requireUser)
	e.POST("/groups/:id/messages/:mid/approve", s.decideMessage(true), requireUser)
	e.POST("/groups/:id/messages/:mid/reject", s.decideMessage(false), requireUser)
	e.GET("/groups/:id/moderation", s.moderationPage, requireUser)
	e.POST("/groups/:id/words", s.addWord, requireUser)
	e.POST("/groups/:id/words/:wid/delete", s.deleteWord, requireUser)
	e.POST("/groups/:id/mute-all", s.muteAll, requireUser)
	e.POST("/groups/:id/posting", s.openPosting, requireUser)
	e.POST("/groups/:id/members/:uid/mute", s.muteMember, requireUser)
	e.POST("/groups/:id/members/:uid/unmute", s.unmuteMember, requireUser)
	e.POST("/groups/:id/members/:uid/remove", s.removeMember, requireUser)
	e.GET("/events", s.events, requireUser)
	e.GET("/files/:id", s.download, requireUser)
	e.GET("/notifications", s.notificationsPage, requireUser)
	e.GET("/notifications/:id", s.openNotification, requireUser)
	e.GET("/notices", s.noticeList, requireUser)
	e.GET("/notices/new", s.noticeNew, requireUser)
	e.GET("/notices/audience", s.noticeAudience, requireUser)
	e.POST("/notices", s.noticeCreate, requireUser)
	e.GET("/notices/:id", s.noticeShow, requireUser)
	e.GET("/homework", s.homeworkList, requireUser)
	e.GET("/homework/new", s.homeworkNew, requireUser)
	e.POST("/homework", s.homeworkCreate, requireUser)
	e.GET("/homework/:id", s.homeworkShow, requireUser)
	e.POST("/homework/:id/submissions", s.homeworkSubmit, requireUser)
	e.GET("/homework/:id/submissions", s.homeworkSheet, requireUser)
	e.GET("/homework/:id/submissions.csv", s.homeworkCSV, requireUser)
	e.POST("/homework/:id/submissions/:sid/review", s.homeworkReview, requireUser)
	e.POST("/notices/:id/ack", s.noticeAck, requireUser)
	e.GET("/notices/:id/receipts", s.noticeReceipts, requireUser)
	e.GET("/notices/:id/receipts.csv", s.noticeCSV, requireUser)
	e.POST("/notices/:id/ding", s.noticeDing, requireUser)
	e.GET("/leave", s.leaveList, requireUser)
	e.GET("/leave/new", s.newLeavePage, requireUser)
	e.POST("/leave", s.askLeave, requireUser)
	e.POST("/leave/:id/approve", s.leaveAction(s.approveLeave, flashLeaveApproved), requireUser)
	e.POST("/leave/:id/reject", s.leaveAction(s.rejectLeave, flashLeaveRejected), requireUser)
	e.POST("/leave/:id/cancel", s.leaveAction(s.cancelLeave, flashLeaveCancelled), requireUser)
	e.POST("/leave/:id/return", s.leaveAction(s.returnLeave, flashLeaveReturned), requireUser)
	e.GET("/classes/:id/today", s.classToday, requireUser)
	e.GET("/admin/student-leave", s.schoolLeaveDay, requireAdmin)
	e.GET("/admin/student-leave.csv", s.schoolLeaveCSV, requireAdmin)
	e.GET("/attendance", s.attendancePage, requireUser)
	e.POST("/attendance/punch", s.punch, requireUser)
	e.POST("/attendance/leave", s.leave, requireUser)
	e.POST("/attendance/makeup", s.makeup, requireUser)
	e.GET("/approvals", s.approvalsPage, requireUser)
	e.POST("/approvals/:id/approve", s.decideApproval(true), requireUser)
	e.POST("/approvals/:id/reject", s.decideApproval(false), requireUser)
	e.GET("/attendance/daily", s.dailyPage, requireAdmin)
	e.GET("/attendance/monthly", s.monthlyPage, requireAdmin)
	e.GET("/attendance/monthly.csv", s.monthlyExport(false), requireAdmin)
	e.GET("/attendance/monthly.xlsx", s.monthlyExport(true), requireAdmin)
	e.POST("/attendance/monthly/confirm", s.confirmMonth, requireAdmin)
	e.POST("/admin/attendance/import", s.importPunches, requireAdmin)
	e.GET("/admin/calendar", s.calendarPage, requireAdmin)
	e.POST("/admin/calendar", s.setCalendarDay, requireAdmin)
	e.POST("/admin/calendar/:day/delete", s.deleteCalendarDay, requireAdmin)
	e.GET("/archive", s.archiveList, requireUser)
	e.GET("/archive/:id", s.archiveShow, requireUser)
	e.POST("/archive", s.archiveFile, requireUser)
	e.POST("/notifications/read", s.markNotificationsRead, requireUser)
	e.GET("/groups/:id/members", s.groupMembers, requireUser)
	e.POST("/groups/:id/moderators/:uid", s.setModerator(true), requireUser)
	e.POST("/groups/:id/moderators/:uid/remove", s.setModerator(false), requireUser)
	e.GET("/groups/:id/invite", s.groupInvite, requireUser)
	e.GET("/groups/:id/invite.png", s.groupInviteQR, requireUser)
	e.POST("/groups/:id/invite/reset", s.groupInviteReset, requireUser)
	e.GET("/groups/:id/requests", s.groupRequests, requireUser)
	e.POST("/groups/:id/requests/approve-matched", s.approveMatched, requireUser)
	e.POST("/groups/:id/requests/:rid/approve", s.approveRequest, requireUser)
	e.POST("/groups/:id/requests/:rid/reject", s.rejectRequest, requireUser)
	e.GET("/join", s.joinByCode, requireUser)
	e.GET("/join/:code", s.joinPage, requireUser)
	e.POST("/join/:code", s.join, requireUser)

	e.GET("/admin", s.adminIndex, requireAdmin)
	e.GET("/admin/roster", s.rosterPage, requireAdmin)
	e.POST("/admin/roster", s.rosterUpload, requireAdmin)
	e.GET("/admin/classes/:id", s.classPage, requireAdmin)
	e.POST("/admin/students/:id/status", s.setStudentStatus, requireAdmin)
	e.GET("/admin/departments", s.departmentsPage, requireAdmin)
	e.POST("/admin/departments/:id/head", s.setDepartmentHead, requireAdmin)
	e.GET("/admin/users", s.usersPage, requireAdmin)
	e.POST("/admin/users/:id/depart", s.departUser, requireAdmin)
	e.POST("/admin/users/:id/role", s.setUserRole, requireAdmin)
	e.POST("/admin/users/:id/erase", s.eraseUser, requireAdmin)
	e.GET("/admin/settings", s.settingsPage, requireAdmin)
	e.POST("/admin/settings", s.saveSettings, requireAdmin)
	e.GET("/admin/audit", s.auditPage, requireAdmin)
	e.GET("/admin/privacy", s.adminPrivacyPage, requireAdmin)
	e.POST("/admin/privacy", s.savePrivacy, requireAdmin)
	e.GET("/admin/words", s.wordsPage, requireAdmin)
	e.POST("/admin/words", s.addSchoolWord, requireAdmin)
	e.POST("/admin/words/:wid/delete", s.deleteSchoolWord, requireAdmin)
}
