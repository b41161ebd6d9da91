package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/filter"
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
	pattern := c.FormValue("pattern")
	err = s.words.Add(c.Request().Context(), userOf(c), id, pattern, filter.Category(c.FormValue("category")), filter.Action(c.FormValue("action")))
	if ve, ok := apperr.AsValidation(err); ok {
		v, verr := s.moderationView(c, id)
		if verr != nil {
			return verr
		}
		v.Pattern, v.WordError = pattern, ve.Message()
		return render(c, http.StatusUnprocessableEntity, groupviews.ModerationPage(page(c, v.Header.Name+" · 群管理"), v))
	}
	if err != nil {
		return err
	}
	return redirect(c, groupURL(id, "/moderation"))
}

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
	return redirect(c, groupURL(id, "/moderation"))
}

func (s *Server) muteAll(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.groups.SetMuteAll(c.Request().Context(), userOf(c), id, c.FormValue("on") == "1"); err != nil {
		return err
	}
	return redirect(c, groupURL(id, "/moderation"))
}

func (s *Server) openPosting(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.groups.SetPostingOpen(c.Request().Context(), userOf(c), id, c.FormValue("on") == "1"); err != nil {
		return err
	}
	return redirect(c, groupURL(id, "/moderation"))
}

// memberAction runs a moderation action on one member and returns to the members page.
func (s *Server) memberAction(act func(c echo.Context, u *auth.User, groupID, userID uint64) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		uid, err := idParam(c, "uid")
		if err != nil {
			return err
		}
		if err := act(c, userOf(c), id, uid); err != nil {
			return err
		}
		return redirect(c, groupURL(id, "/members"))
	}
}

func (s *Server) muteMember(c echo.Context, u *auth.User, groupID, userID uint64) error {
	minutes, _ := strconv.Atoi(c.FormValue("minutes"))
	return s.groups.MuteMember(c.Request().Context(), u, groupID, userID, minutes)
}

func (s *Server) unmuteMember(c echo.Context, u *auth.User, groupID, userID uint64) error {
	return s.groups.UnmuteMember(c.Request().Context(), u, groupID, userID)
}

// removeMember takes a member out of the group; a refused reason answers
// on the members page (422), that member's actions open with what was
// typed and the message beside the field.
func (s *Server) removeMember(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	uid, err := idParam(c, "uid")
	if err != nil {
		return err
	}
	reason, ban := c.FormValue("reason"), c.FormValue("ban") == "1"
	err = s.groups.Remove(c.Request().Context(), userOf(c), id, uid, reason, ban)
	if ve, ok := apperr.AsValidation(err); ok {
		v, title, verr := s.membersView(c, id, &refusedRemoval{userID: uid, reason: reason, msg: ve.Message(), ban: ban})
		if verr != nil {
			return verr
		}
		return render(c, http.StatusUnprocessableEntity, groupviews.MembersPage(page(c, title), v))
	}
	if err != nil {
		return err
	}
	return redirect(c, groupURL(id, "/members"))
}
