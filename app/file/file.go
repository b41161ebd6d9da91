// Package file stores uploaded files (message attachments, notice
// attachments, archived documents) in object storage. The type is sniffed
// from the content, not the name; only listed types are taken; images are
// decoded and encoded again, which drops EXIF (GPS) and every other
// metadata block after the photo is turned upright; objects are
// content-addressed (files/{sha256}/{name}) so the same file is stored once.
//
// Images cost memory and CPU in proportion to their pixels, not their
// bytes, so Prepare checks their headers against the budgets in image.go
// and decodes nothing; the decoding happens in Clean (called by Save), after
// the service that takes the file has checked who may post it, at most
// DecodeConcurrency images at a time.
package file

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/disintegration/imaging"
	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/storage"
)

// MaxSize is the largest upload taken.
const MaxSize = 20 << 20

// DecodeConcurrency is how many images are decoded and re-encoded at once
// per Service; more wait their turn.
const DecodeConcurrency = 2

// DecodeWait is how long an upload waits for a decoding slot before it is
// refused as busy (503, the form kept); a request whose client goes away
// stops waiting at once.
const DecodeWait = 20 * time.Second

// File is one stored file.
type File struct {
	ID          uint64
	StorageKey  string
	Name        string
	Size        int64
	ContentType string
	SHA256      string
	UploadedBy  uint64
	CreatedAt   time.Time
	// Staged is set while the content waits in the database because object
	// storage was down when it was taken.
	Staged bool
}

// IsImage reports whether the file is shown inline.
func (f File) IsImage() bool { return strings.HasPrefix(f.ContentType, "image/") }

// Service saves and finds files.
type Service struct {
	db     *gorm.DB
	store  storage.Store
	now    func() time.Time
	decode chan struct{} // DecodeConcurrency slots
}

// NewService returns the file service.
func NewService(g *gorm.DB, store storage.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: g, store: store, now: func() time.Time { return now().UTC() }, decode: make(chan struct{}, DecodeConcurrency)}
}

// ErrStorageDown means object storage did not take the file; the caller
// keeps the user's form and asks them to try again.
var ErrStorageDown = apperr.New(apperr.ErrUnavailable, "文件存储暂时不可用，请稍后重新上传（您填写的内容已保留）")

// ErrBusy refuses an image when every decoding slot stayed taken for
// DecodeWait.
var ErrBusy = apperr.New(apperr.ErrUnavailable, "图片处理繁忙，请稍后重新上传（您填写的内容已保留）")

// Prepared is an upload checked, not yet stored. An image is cleaned
// (decoded and encoded again) by Clean, which Save calls; until then Data
// and SHA256 are the bytes as uploaded.
type Prepared struct {
	Name        string
	ContentType string
	Data        []byte
	SHA256      string
	field       string // the form field, for error messages
	raw         bool   // an image not yet re-encoded
}

// Prepare checks an upload cheaply: its size, its real type, and for images
// the headers against the budgets (MaxPixels and the rest), so that what
// would exhaust the server is refused before any decoding. field names the
// form field for error messages. The image itself is cleaned later by
// Clean.
func Prepare(field, name string, data []byte) (Prepared, error) {
	if len(data) == 0 {
		return Prepared{}, apperr.Invalid(field, "文件是空的")
	}
	if len(data) > MaxSize {
		return Prepared{}, apperr.Invalid(field, fmt.Sprintf("文件超过 %d MB", MaxSize>>20))
	}
	name = cleanName(name)
	ext := strings.ToLower(path.Ext(name))
	sniffed := http.DetectContentType(data)
	var ct string
	switch {
	case sniffed == "image/jpeg", sniffed == "image/png", sniffed == "image/gif":
		if err := checkImage(sniffed, data); err != nil {
			if msg, ok := isImageLimit(err); ok {
				return Prepared{}, apperr.Invalid(field, msg)
			}
			return Prepared{}, apperr.Invalid(field, "图片无法识别或已损坏")
		}
		sum := sha256.Sum256(data)
		return Prepared{Name: name, ContentType: sniffed, Data: data, SHA256: hex.EncodeToString(sum[:]), field: field, raw: true}, nil
	case sniffed == "application/pdf":
		ct = sniffed
	case sniffed == "application/zip" && officeExt[ext] != "" && isOffice(data, ext):
		ct = officeExt[ext]
	case strings.HasPrefix(sniffed, "text/plain") && (ext == ".txt" || ext == ".csv"):
		ct = "text/plain; charset=utf-8"
		if ext == ".csv" {
			ct = "text/csv; charset=utf-8"
		}
	default:
		return Prepared{}, apperr.Invalid(field, "不支持的文件类型：仅支持 JPG/PNG/GIF 图片、PDF、Word/Excel/PowerPoint 文档和文本文件")
	}
	sum := sha256.Sum256(data)
	return Prepared{Name: name, ContentType: ct, Data: data, SHA256: hex.EncodeToString(sum[:])}, nil
}

var officeExt = map[string]string{
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

// isOffice checks the zip holds the part an Office file of that kind has.
func isOffice(data []byte, ext string) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	want := map[string]string{".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}[ext]
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, want) {
			return true
		}
	}
	return false
}

// Clean decodes an image upload and encodes it again (dropping EXIF and
// every other metadata block), waiting for one of DecodeConcurrency slots;
// other uploads are returned as they are. The caller has already checked
// that the actor may post the file. Save calls it.
func (s *Service) Clean(ctx context.Context, p Prepared) (Prepared, error) {
	if !p.raw {
		return p, nil
	}
	// The headers were checked by Prepare; check again for a Prepared
	// built or changed elsewhere.
	if err := checkImage(p.ContentType, p.Data); err != nil {
		if msg, ok := isImageLimit(err); ok {
			return Prepared{}, apperr.Invalid(p.field, msg)
		}
		return Prepared{}, apperr.Invalid(p.field, "图片无法识别或已损坏")
	}
	wait := time.NewTimer(DecodeWait)
	defer wait.Stop()
	select {
	case s.decode <- struct{}{}:
	case <-ctx.Done():
		return Prepared{}, fmt.Errorf("file: waiting to decode: %w", ctx.Err())
	case <-wait.C:
		return Prepared{}, ErrBusy
	}
	clean, err := reencode(p.Data, p.ContentType)
	<-s.decode
	if err != nil {
		return Prepared{}, apperr.Invalid(p.field, "图片无法识别或已损坏")
	}
	sum := sha256.Sum256(clean)
	p.Data, p.SHA256, p.raw = clean, hex.EncodeToString(sum[:]), false
	return p, nil
}

// reencode decodes and encodes an image whose headers passed checkImage.
func reencode(data []byte, ct string) ([]byte, error) {
	var buf bytes.Buffer
	switch ct {
	case "image/gif":
		g, err := gif.DecodeAll(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		err = gif.EncodeAll(&buf, g)
		return buf.Bytes(), err
	case "image/png":
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		err = png.Encode(&buf, img)
		return buf.Bytes(), err
	}
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, err
	}
	err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	return buf.Bytes(), err
}

// Names are kept to MaxNameRunes characters, and an extension to
// maxExtRunes (a longer "extension" is part of the name).
const (
	MaxNameRunes = 100
	maxExtRunes  = 16
	// maxKeyName bounds the name's part of a storage key in bytes: a
	// directory entry holds 255, and the file store adds a suffix to it.
	maxKeyName = 200
)

// cleanName keeps a file name readable and safe as one key segment.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if utf8.RuneCountInString(name) > MaxNameRunes {
		stem, ext := splitExt(name)
		keep := MaxNameRunes - utf8.RuneCountInString(ext)
		for i := range stem { // the byte offset of rune number keep
			if keep == 0 {
				stem = stem[:i]
				break
			}
			keep--
		}
		name = stem + ext
	}
	if name == "" {
		name = "file"
	}
	return name
}

// splitExt splits off a short extension (an "extension" longer than
// maxExtRunes is part of the name). Each step is one pass over the name,
// whatever its length.
func splitExt(name string) (stem, ext string) {
	ext = path.Ext(name)
	if utf8.RuneCountInString(ext) > maxExtRunes {
		ext = ""
	}
	return strings.TrimSuffix(name, ext), ext
}

// storageKey is where content is stored: content-addressed, with the name
// (cut to maxKeyName bytes) to keep the store readable. The full name is
// in the files table and names the download.
func storageKey(sha256, name string) string {
	if len(name) > maxKeyName {
		stem, ext := splitExt(name)
		cut := maxKeyName - len(ext)
		for cut > 0 && !utf8.RuneStart(stem[cut]) {
			cut-- // back to the start of a character
		}
		name = stem[:cut] + ext
	}
	return "files/" + sha256 + "/" + name
}

// Save stores a prepared upload (once per content) and records it.
// An image is cleaned first (Clean).
func (s *Service) Save(ctx context.Context, uploader uint64, p Prepared) (File, error) {
	p, err := s.Clean(ctx, p)
	if err != nil {
		return File{}, err
	}
	key := storageKey(p.SHA256, p.Name)
	if _, err := s.store.Stat(ctx, key); err != nil {
		if !errors.Is(err, storage.ErrNotExist) {
			return File{}, fmt.Errorf("%w: %w", ErrStorageDown, err)
		}
		o, err := s.store.Put(ctx, key, bytes.NewReader(p.Data), int64(len(p.Data)), p.ContentType)
		if err != nil {
			return File{}, fmt.Errorf("%w: %w", ErrStorageDown, err)
		}
		if o.SHA256 != p.SHA256 {
			return File{}, fmt.Errorf("file: stored %s has sha256 %s, want %s", key, o.SHA256, p.SHA256)
		}
	}
	f := File{StorageKey: key, Name: p.Name, Size: int64(len(p.Data)), ContentType: p.ContentType, SHA256: p.SHA256, UploadedBy: uploader, CreatedAt: s.now()}
	if err := s.db.WithContext(ctx).Create(&f).Error; err != nil {
		return File{}, fmt.Errorf("file: save: %w", err)
	}
	return f, nil
}

// chunkSize keeps each staged row well under MySQL's packet limit.
const chunkSize = 1 << 20

type chunk struct {
	FileID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Seq    int    `gorm:"primaryKey;autoIncrement:false"`
	Data   []byte
}

func (chunk) TableName() string { return "file_chunks" }

// SaveOrStage stores an upload like Save, but when object storage is down
// it keeps the content in the database instead, to be moved by Commit
// later: the upload is never lost and never refused for the outage.
func (s *Service) SaveOrStage(ctx context.Context, uploader uint64, p Prepared) (File, error) {
	p, err := s.Clean(ctx, p)
	if err != nil {
		return File{}, err
	}
	f, err := s.Save(ctx, uploader, p)
	if err == nil || !errors.Is(err, ErrStorageDown) {
		return f, err
	}
	f = File{StorageKey: storageKey(p.SHA256, p.Name), Name: p.Name, Size: int64(len(p.Data)), ContentType: p.ContentType,
		SHA256: p.SHA256, UploadedBy: uploader, CreatedAt: s.now(), Staged: true}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&f).Error; err != nil {
			return err
		}
		for seq, off := 0, 0; off < len(p.Data); seq, off = seq+1, off+chunkSize {
			end := min(off+chunkSize, len(p.Data))
			if err := tx.Create(&chunk{FileID: f.ID, Seq: seq, Data: p.Data[off:end]}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return File{}, fmt.Errorf("file: stage: %w", err)
	}
	return f, nil
}

// Commit moves a staged file into object storage, checks its SHA-256, and
// drops the staged copy. A file already in storage is left alone.
func (s *Service) Commit(ctx context.Context, f File) error {
	if !f.Staged {
		if _, err := s.store.Stat(ctx, f.StorageKey); err != nil {
			return fmt.Errorf("file: %s not in storage: %w", f.StorageKey, err)
		}
		return nil
	}
	data, err := s.staged(ctx, f.ID)
	if err != nil {
		return err
	}
	o, err := s.store.Put(ctx, f.StorageKey, bytes.NewReader(data), int64(len(data)), f.ContentType)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStorageDown, err)
	}
	if o.SHA256 != f.SHA256 {
		return fmt.Errorf("file: %s stored with sha256 %s, want %s", f.StorageKey, o.SHA256, f.SHA256)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&File{}).Where("sha256 = ? AND storage_key = ?", f.SHA256, f.StorageKey).Update("staged", false).Error; err != nil {
			return err
		}
		return tx.Where("file_id = ?", f.ID).Delete(&chunk{}).Error
	})
}

func (s *Service) staged(ctx context.Context, id uint64) ([]byte, error) {
	var cs []chunk
	if err := s.db.WithContext(ctx).Where("file_id = ?", id).Order("seq").Find(&cs).Error; err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, c := range cs {
		b.Write(c.Data)
	}
	return b.Bytes(), nil
}

// Get returns a file's record.
func (s *Service) Get(ctx context.Context, id uint64) (File, error) {
	var f File
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&f).Error
	return f, db.Translate(err)
}

// ByIDs reads the files with the given ids through q, in the order of
// ids; an id with no file is left out.
func ByIDs(ctx context.Context, q *gorm.DB, ids []uint64) ([]File, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var fs []File
	if err := q.WithContext(ctx).Where("id IN ?", ids).Find(&fs).Error; err != nil {
		return nil, fmt.Errorf("file: by ids: %w", err)
	}
	byID := make(map[uint64]File, len(fs))
	for _, f := range fs {
		byID[f.ID] = f
	}
	out := make([]File, 0, len(ids))
	for _, id := range ids {
		if f, ok := byID[id]; ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// Download gives a short-lived URL for the file where the backend has
// them (MinIO), or else a stream of its content; the caller checks access
// first and closes the stream.
func (s *Service) Download(ctx context.Context, f File) (string, io.ReadCloser, error) {
	if f.Staged {
		data, err := s.staged(ctx, f.ID)
		if err != nil {
			return "", nil, err
		}
		return "", io.NopCloser(bytes.NewReader(data)), nil
	}
	u, err := s.store.URL(ctx, f.StorageKey, 5*time.Minute, f.Name)
	if err == nil {
		return u, nil, nil
	}
	if !errors.Is(err, storage.ErrNoURL) {
		return "", nil, fmt.Errorf("%w: %w", ErrStorageDown, err)
	}
	rc, _, err := s.store.Get(ctx, f.StorageKey)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrStorageDown, err)
	}
	return "", rc, nil
}

// Holder is a part of the school that keeps files (messages, notices, the
// archive) and says who may see them.
type Holder interface {
	FileAccess(ctx context.Context, actor *auth.User, fileID uint64) (bool, error)
}

// MayDownload is the rule for downloads: a user may download a file that a
// message, notice or archive entry they may see holds. Anyone else,
// including nobody, gets ErrNotFound: a file's existence is private too.
func MayDownload(ctx context.Context, actor *auth.User, fileID uint64, holders ...Holder) error {
	if actor == nil {
		return apperr.ErrNotFound
	}
	for _, h := range holders {
		ok, err := h.FileAccess(ctx, actor, fileID)
		if err != nil || ok {
			return err
		}
	}
	return apperr.ErrNotFound
}
