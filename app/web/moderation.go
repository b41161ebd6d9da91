package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/filter"
	"jiaxiao/app/group"
	"jiaxiao/app/modlog"
	"jiaxiao/views/component"
	groupviews "jiaxiao/views/group"
)

func wordOptions() (cats, acts []component.Option) {
	for _, c := range filter.Categories {
		cats = append(cats, component.Option{Value: string(c), Label: c.Label()})
	}
	for _, a := range filter.Actions {
		acts = append(acts, component.Option{Value: string(a), Label: a.Label()})
	}
	return
}

func (s *Server) moderationView(c echo.Context, id uint64) (groupviews.ModerationView, error) {
	ctx, u := c.Request().Context(), userOf(c)
	held, err := s.messages.Held(ctx, u, id)
	if err != nil {
		return groupviews.ModerationView{}, err
	}
	a, err := s.groups.Access(ctx, u, id)
	if err != nil {
		return groupviews.ModerationView{}, err
	}
	words, err := s.words.List(ctx, u, id)
	if err != nil {
		return groupviews.ModerationView{}, err
	}
	mutes, err := s.groups.Mutes(ctx, u, id)
	if err != nil {
		return groupviews.ModerationView{}, err
	}
	log, err := s.groups.ModerationLog(ctx, u, id, 100)
	if err != nil {
		return groupviews.ModerationView{}, err
	}
	v := groupviews.ModerationView{Header: s.header(c, a, groupURL(id, "/moderation")), CSRF: csrfOf(c), WordsURL: groupURL(id, "/words"),
		MutedAll: a.Group.MutedAll, MuteAllURL: groupURL(id, "/mute-all"), CanSetPosting: a.CanSetPosting() == nil,
		CanRename: a.CanRename() == nil, Posting: a.Group.PostingOpen, PostingURL: groupURL(id, "/posting"), RenameURL: groupURL(id, "/rename")}
	v.Categories, v.Actions = wordOptions()
	for _, h := range held {
		base := groupURL(id, "/messages/", strconv.FormatUint(h.ID, 10))
		v.Held = append(v.Held, groupviews.MessageRow{Item: s.item(id, h), ApproveURL: base + "/approve", RejectURL: base + "/reject"})
	}
	for _, w := range words {
		v.Words = append(v.Words, groupviews.WordRow{Pattern: w.Pattern, Category: w.Category.Label(), Action: w.Action.Label(),
			DeleteURL: groupURL(id, "/words/", strconv.FormatUint(w.ID, 10), "/delete")})
	}
	for _, m := range mutes {
		v.Mutes = append(v.Mutes, groupviews.MuteRow{Name: m.Name, Until: m.Until.In(s.loc).Format("01-02 15:04"),
			UnmuteURL: groupURL(id, "/members/", strconv.FormatUint(m.UserID, 10), "/unmute")})
	}
	for _, l := range log {
		v.Log = append(v.Log, groupviews.LogRow{When: l.CreatedAt.In(s.loc).Format("01-02 15:04"), Actor: l.ActorName,
			Action: modlog.Label(l.Action), Subject: l.SubjectName, Reason: l.Reason})
	}
	return v, nil
}

func (s *Server) moderationPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.moderationView(c, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, groupviews.ModerationPage(page(c, v.Header.Name+" · 群管理"), v))
}

// addWord adds to the group's list; a bad entry re-renders the page with 422.
func (s *Server) addWord(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	pattern, category, action := c.FormValue("pattern"), c.FormValue("category"), c.FormValue("action")
	err = s.words.Add(c.Request().Context(), userOf(c), id, pattern, filter.Category(category), filter.Action(action))
	if ve, ok := apperr.AsValidation(err); ok {
		v, verr := s.moderationView(c, id)
		if verr != nil {
			return verr
		}
		v.Pattern, v.WordError = pattern, ve.Message()
		choose(v.Categories, category)
		choose(v.Actions, action)
		return render(c, http.StatusUnprocessableEntity, groupviews.ModerationPage(page(c, v.Header.Name+" · 群管理"), v))
	}
	if err != nil {
		return err
	}
	s.setFlash(c, flashWordAdded)
	return redirect(c, groupURL(id, "/moderation")+"#words")
}

// choose marks the option with value as selected (a refused form keeps
// what was chosen).
func choose(opts []component.Option, value string) {
	for i := range opts {
		opts[i].Selected = opts[i].Value == value
	}
}

var (
	flashWordAdded    = sayFlash("group-word-added", "已添加到本群词库，新发的消息按它检查。")
	flashWordDeleted  = sayFlash("group-word-deleted", "已从本群词库删除。")
	flashMuteAllOn    = sayFlash("group-mute-all-on", "已开启全员禁言，只有群主和群管理员可以发言。")
	flashMuteAllOff   = sayFlash("group-mute-all-off", "已解除全员禁言，成员可以正常发言了。")
	flashPostingOpen  = sayFlash("group-posting-open", "已允许家长在本群发言。")
	flashPostingClose = sayFlash("group-posting-close", "已恢复为仅教职工发言。")
	flashMuted        = newFlash("group-muted", 1, func(n []int64) string {
		return "已禁言 " + group.MuteLabel(int(n[0])) + "，到时自动解除；TA 已收到提醒。"
	})
	flashUnmuted = sayFlash("group-unmuted", "已解除禁言。")
	flashRemoved = sayFlash("group-removed", "已移出 1 位成员，TA 将不能再查看本群。")
)

func (s *Server) deleteWord(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	wid, err := idParam(c, "wid")
	if err != nil {
		return err
	}
	if err := s.words.Delete(c.Request().Context(), userOf(c), id, wid); err != nil {
		return err
	}
	s.setFlash(c, flashWordDeleted)
	return redirect(c, groupURL(id, "/moderation")+"#words")
}

func (s *Server) muteAll(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	on := c.FormValue("on") == "1"
	if err := s.groups.SetMuteAll(c.Request().Context(), userOf(c), id, on); err != nil {
		return err
	}
	if on {
		s.setFlash(c, flashMuteAllOn)
	} else {
		s.setFlash(c, flashMuteAllOff)
	}
	return redirect(c, groupURL(id, "/moderation"))
}

func (s *Server) openPosting(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	on := c.FormValue("on") == "1"
	if err := s.groups.SetPostingOpen(c.Request().Context(), userOf(c), id, on); err != nil {
		return err
	}
	if on {
		s.setFlash(c, flashPostingOpen)
	} else {
		s.setFlash(c, flashPostingClose)
	}
	return redirect(c, groupURL(id, "/moderation"))
}

// muteMember silences a member for one of the offered lengths; a length
// not offered answers on the members page (422), the member's menu open
// with the message beside the length.
func (s *Server) muteMember(c echo.Context) error {
	id, uid, err := memberParams(c)
	if err != nil {
		return err
	}
	minutes, _ := strconv.Atoi(c.FormValue("minutes"))
	err = s.groups.MuteMember(c.Request().Context(), userOf(c), id, uid, minutes)
	if ve, ok := apperr.AsValidation(err); ok {
		return s.refusedOnMembers(c, id, refusedAction{userID: uid, field: "minutes", msg: ve.Message()})
	}
	if err != nil {
		return err
	}
	s.setFlash(c, flashMuted, int64(minutes))
	return redirect(c, groupURL(id, "/members"))
}

// unmuteMember lifts a member's mute; it returns to the page it came
// from: the members page, or the moderation page's list of mutes.
func (s *Server) unmuteMember(c echo.Context) error {
	id, uid, err := memberParams(c)
	if err != nil {
		return err
	}
	if err := s.groups.UnmuteMember(c.Request().Context(), userOf(c), id, uid); err != nil {
		return err
	}
	s.setFlash(c, flashUnmuted)
	back := groupURL(id, "/members")
	if c.FormValue("back") == "moderation" {
		back = groupURL(id, "/moderation")
	}
	return redirect(c, back)
}

// removeMember takes a member out of the group; a refused reason answers
// on the members page (422), that member's menu open with what was typed
// and the message beside the field. Done, the members page says so once
// and shows the new count.
func (s *Server) removeMember(c echo.Context) error {
	id, uid, err := memberParams(c)
	if err != nil {
		return err
	}
	reason, ban := c.FormValue("reason"), c.FormValue("ban") == "1"
	err = s.groups.Remove(c.Request().Context(), userOf(c), id, uid, reason, ban)
	if ve, ok := apperr.AsValidation(err); ok {
		return s.refusedOnMembers(c, id, refusedAction{userID: uid, field: "reason", reason: reason, msg: ve.Message(), ban: ban})
	}
	if err != nil {
		return err
	}
	s.setFlash(c, flashRemoved)
	return redirect(c, groupURL(id, "/members"))
}

// refusedOnMembers answers a refused member action on the members page.
func (s *Server) refusedOnMembers(c echo.Context, id uint64, r refusedAction) error {
	v, title, err := s.membersView(c, id, &r)
	if err != nil {
		return err
	}
	return render(c, http.StatusUnprocessableEntity, groupviews.MembersPage(page(c, title), v))
}

// memberParams reads the group and member ids of a member action.
func memberParams(c echo.Context) (uint64, uint64, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return 0, 0, err
	}
	uid, err := idParam(c, "uid")
	return id, uid, err
}
