package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"jiaxiao/app/file"
	"jiaxiao/app/message"
)

// Format names the layout of data.json; README "What an export holds"
// describes it.
const Format = "jiaxiao-export/1"

// Write writes the zip to w: 说明.txt, the files under files/, and
// data.json last, so that it can say which files are in the zip. Messages
// are read a page at a time as they are written. An error means the zip
// is incomplete; the caller abandons the response.
func (e *Export) Write(ctx context.Context, w io.Writer) error {
	z := zip.NewWriter(w)
	if err := e.writeReadme(z); err != nil {
		return err
	}
	packed, err := e.writeFiles(ctx, z)
	if err != nil {
		return err
	}
	if err := e.writeData(ctx, z, packed); err != nil {
		return err
	}
	return z.Close()
}

func (e *Export) header(name string, method uint16, at time.Time) *zip.FileHeader {
	h := &zip.FileHeader{Name: name, Method: method}
	h.Modified = at.In(e.s.loc)
	return h
}

func (e *Export) writeReadme(z *zip.Writer) error {
	w, err := z.CreateHeader(e.header("说明.txt", zip.Deflate, e.at))
	if err != nil {
		return err
	}
	staff := ""
	if e.actor.Role.Staff() {
		staff = "，以及布置和批改的作业、考勤打卡、请假和补卡申请"
	}
	text := fmt.Sprintf("这是 %s 在家校平台上的个人数据副本，导出于 %s。\r\n\r\n"+
		"data.json：账号、孩子与监护关系、所在的群、登录的设备、入群申请、发过的群消息、收到的通知（含阅读和“收到”确认的时间）、消息提醒、提交的作业与老师的批改、为孩子提交的请假申请%s。\r\n"+
		"files/：您上传过的文件（群消息附件、通知附件、归档文件、作业照片和文件、请假附件）。\r\n\r\n"+
		"每一部分最多收录最近的 %d 条，文件最多 %d 个、共 %d MB；未收录的内容在 data.json 的 limits 一项中说明。\r\n"+
		"时间都是学校所在时区的时间。\r\n",
		e.actor.Name, e.at.In(e.s.loc).Format("2006-01-02 15:04"), staff, MaxRows, MaxFiles, MaxFileBytes>>20)
	_, err = io.WriteString(w, text)
	return err
}

// packedFile is where a file went: its path in the zip, or why it is not
// there.
type packedFile struct {
	path, note string
}

// writeFiles streams the uploaded files, the newest first, within
// MaxFileBytes; the same content uploaded twice is packed once. A file
// storage cannot give is listed with a note and the export goes on.
func (e *Export) writeFiles(ctx context.Context, z *zip.Writer) (map[uint64]packedFile, error) {
	out := make(map[uint64]packedFile, len(e.data.files))
	byKey := map[string]string{}
	var total int64
	for _, f := range e.data.files {
		if p, ok := byKey[f.StorageKey]; ok {
			out[f.ID] = packedFile{path: p}
			continue
		}
		if total+f.Size > MaxFileBytes {
			out[f.ID] = packedFile{note: fmt.Sprintf("超出单次导出 %d MB 的上限，未打包", MaxFileBytes>>20)}
			continue
		}
		p, err := e.writeFile(ctx, z, f)
		if err != nil {
			return nil, err
		}
		out[f.ID] = p
		if p.path != "" {
			total += f.Size
			byKey[f.StorageKey] = p.path
		}
	}
	return out, nil
}

// watchedReader remembers an error of the reader it wraps, to tell a
// failed read from a failed write after io.Copy.
type watchedReader struct {
	r   io.Reader
	err error
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err != nil && err != io.EOF {
		w.err = err
	}
	return n, err
}

// writeFile packs one file. Only a failure to write the zip (the client
// gone, say) is an error; a file storage cannot give is a note.
func (e *Export) writeFile(ctx context.Context, z *zip.Writer, f file.File) (packedFile, error) {
	rc, err := e.s.files.Open(ctx, f)
	if err != nil {
		if ctx.Err() != nil {
			return packedFile{}, ctx.Err()
		}
		e.s.log.Warn("export: file not in storage", "file", f.ID, "err", err)
		return packedFile{note: "文件在存储中找不到，未能打包"}, nil
	}
	defer rc.Close()
	path := fmt.Sprintf("files/%d-%s", f.ID, f.Name)
	method := zip.Store // photos, PDFs and Office files are compressed already
	if strings.HasPrefix(f.ContentType, "text/") {
		method = zip.Deflate
	}
	w, err := z.CreateHeader(e.header(path, method, f.CreatedAt))
	if err != nil {
		return packedFile{}, err
	}
	src := &watchedReader{r: rc}
	if _, err := io.Copy(w, src); err != nil {
		if src.err == nil || ctx.Err() != nil {
			return packedFile{}, err
		}
		e.s.log.Warn("export: file read cut short", "file", f.ID, "err", err)
		return packedFile{path: path, note: "读取中断，文件不完整"}, nil
	}
	return packedFile{path: path}, nil
}

// writeData writes data.json, a section at a time.
func (e *Export) writeData(ctx context.Context, z *zip.Writer, packed map[uint64]packedFile) error {
	w, err := z.CreateHeader(e.header("data.json", zip.Deflate, e.at))
	if err != nil {
		return err
	}
	d := e.data
	o := &object{w: w}
	o.open()
	o.field("format", Format)
	o.field("exported_at", e.ts(e.at))
	o.field("time_zone", e.s.loc.String())
	o.field("account", e.account())
	o.field("children", rows(d.children, e.child))
	o.field("guardianships", rows(d.guardianships, e.guardianship))
	o.field("groups", rows(d.groups, e.membership))
	o.field("sessions", rows(d.sessions, e.session))
	o.field("join_requests", rows(d.requests, e.joinRequest))
	cut := d.cut
	messagesCut := false
	o.stream("messages", func(emit func(any)) error {
		from, n := message.Cursor{}, 0
		for {
			page, err := message.WrittenBy(ctx, e.s.db, e.actor.ID, from, pageSize)
			if err != nil {
				return err
			}
			var unknown []uint64
			for _, m := range page {
				if _, ok := d.groupNames[m.GroupID]; !ok {
					unknown = append(unknown, m.GroupID)
				}
			}
			if err := e.s.nameGroups(ctx, d.groupNames, unknown); err != nil {
				return err
			}
			for _, m := range page {
				if n == MaxRows {
					messagesCut = true
					return nil
				}
				emit(e.message(m, packed))
				n++
			}
			if len(page) < pageSize {
				return nil
			}
			from = message.After(page)
		}
	})
	if messagesCut {
		cut = append(cut, "messages")
	}
	o.field("notices", rows(d.notices, e.notice))
	o.field("notifications", rows(d.notifications, e.notification))
	if e.actor.Role.Staff() {
		o.field("punches", rows(d.punches, e.punch))
		o.field("leave_and_makeup_requests", rows(d.approvals, e.approval))
	}
	files := make([]fileJSON, len(d.files))
	for i, f := range d.files {
		files[i] = e.file(f, packed[f.ID])
	}
	o.field("files", files)
	where := func(id uint64) (string, string) {
		if p, ok := packed[id]; ok {
			return p.path, p.note
		}
		if d.filesCut {
			return "", fmt.Sprintf("超出单次导出 %d 个文件的上限，未打包", MaxFiles)
		}
		return "", "不是您上传的文件或已删除，未打包"
	}
	for _, p := range d.parts {
		if f, ok := p.value.(Filed); ok {
			f.Place(where)
		}
		o.field(p.key, p.value)
	}
	o.field("limits", e.limits(cut))
	o.close()
	return o.err
}

func rows[T, R any](xs []T, fn func(T) R) []R {
	out := make([]R, len(xs))
	for i, x := range xs {
		out[i] = fn(x)
	}
	return out
}

// object writes a JSON object a field at a time, indented for people
// who open it in a text editor; the first error stops it.
type object struct {
	w      io.Writer
	fields int
	err    error
}

func (o *object) write(s string) {
	if o.err == nil {
		_, o.err = io.WriteString(o.w, s)
	}
}

// marshal is json.MarshalIndent without the HTML escaping: the text is
// people's own, read in an editor, not embedded in a page.
func marshal(v any, prefix string) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func (o *object) open()  { o.write("{") }
func (o *object) close() { o.write("\n}\n") }

func (o *object) key(k string) {
	if o.fields > 0 {
		o.write(",")
	}
	o.fields++
	o.write("\n  " + quote(k) + ": ")
}

func (o *object) field(k string, v any) {
	s, err := marshal(v, "  ")
	if err != nil && o.err == nil {
		o.err = fmt.Errorf("export: %s: %w", k, err)
	}
	o.key(k)
	o.write(s)
}

// stream writes an array whose rows fill emits one at a time.
func (o *object) stream(k string, fill func(emit func(any)) error) {
	o.key(k)
	o.write("[")
	n := 0
	err := fill(func(v any) {
		s, err := marshal(v, "    ")
		if err != nil && o.err == nil {
			o.err = fmt.Errorf("export: %s: %w", k, err)
		}
		if n > 0 {
			o.write(",")
		}
		o.write("\n    " + s)
		n++
	})
	if err != nil && o.err == nil {
		o.err = fmt.Errorf("export: %s: %w", k, err)
	}
	if n > 0 {
		o.write("\n  ")
	}
	o.write("]")
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
