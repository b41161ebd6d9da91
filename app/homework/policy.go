package homework

import (
	"context"
	"strconv"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/school"
)

// Refusals.
var (
	ErrNotTeacher = apperr.New(apperr.ErrForbidden, "只有任教该班的老师和学校管理员可以查看和批改作业")
	ErrNotStaff   = apperr.New(apperr.ErrForbidden, "只有教师和学校管理员可以布置作业")
	ErrNotFamily  = apperr.New(apperr.ErrForbidden, "只有本班学生的家长可以提交作业")
)

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }

// children are actor's children who count for homework: enrolled, of a
// current guardianship, in a class whose group actor is still in (a parent
// removed from the class group sees its homework no more; a pending one
// has no guardianship yet).
func children(ctx context.Context, q *gorm.DB, actor *auth.User) ([]school.Child, error) {
	if actor == nil || actor.Role != auth.RoleParent {
		return nil, nil
	}
	kids, err := school.ChildrenOf(ctx, q, school.ChildFilter{Parents: []uint64{actor.ID}})
	if err != nil || len(kids) == 0 {
		return nil, err
	}
	in, err := group.MemberClasses(ctx, q, actor.ID)
	if err != nil {
		return nil, err
	}
	out := kids[:0]
	for _, k := range kids {
		if in[k.ClassID] {
			out = append(out, k)
		}
	}
	return out, nil
}
