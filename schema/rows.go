package schema

import (
	"database/sql"
	"time"
)

// Row is one generated row: a User, an Image or a Like. Values lists its
// column values in the order of Columns, ready to pass as the arguments of
// an INSERT with the same column list. The interface is closed: only this
// package's row types implement it.
type Row interface {
	// Table returns the row's table name.
	Table() string
	// Columns returns the table's column names in DDL order, new on every
	// call.
	Columns() []string
	// Values returns the row's values in Columns order: uint64 for ids,
	// string for text, time.Time in UTC for DATETIME(6), and nil for NULL.
	Values() []any

	isRow()
}

var (
	_ Row = User{}
	_ Row = Image{}
	_ Row = Like{}
)

// User is one row of users.
type User struct {
	ID        uint64
	Name      string
	Email     string
	CreatedAt time.Time
}

// Table returns "users".
func (User) Table() string { return TableUsers }

// Columns returns id, name, email, created_at.
func (User) Columns() []string { return columnsOf(TableUsers) }

// Values returns the user's values in Columns order.
func (u User) Values() []any { return []any{u.ID, u.Name, u.Email, u.CreatedAt} }

func (User) isRow() {}

// Image is one row of images. ParentID is valid when the image re-shares an
// earlier image, whose id is then less than ID, and NULL otherwise.
type Image struct {
	ID       uint64
	UserID   uint64
	ParentID sql.Null[uint64]
	Name     string
	Path     string
	Dt       time.Time
}

// Table returns "images".
func (Image) Table() string { return TableImages }

// Columns returns id, user_id, parent_id, name, path, dt.
func (Image) Columns() []string { return columnsOf(TableImages) }

// Values returns the image's values in Columns order, with nil for a NULL
// parent_id.
func (img Image) Values() []any {
	var parent any
	if img.ParentID.Valid {
		parent = img.ParentID.V
	}
	return []any{img.ID, img.UserID, parent, img.Name, img.Path, img.Dt}
}

func (Image) isRow() {}

// Like is one row of likes: UserID liked ImageID at Dt, which is never
// before the image's Dt.
type Like struct {
	ID      uint64
	ImageID uint64
	UserID  uint64
	Dt      time.Time
}

// Table returns "likes".
func (Like) Table() string { return TableLikes }

// Columns returns id, image_id, user_id, dt.
func (Like) Columns() []string { return columnsOf(TableLikes) }

// Values returns the like's values in Columns order.
func (l Like) Values() []any { return []any{l.ID, l.ImageID, l.UserID, l.Dt} }

func (Like) isRow() {}

// columnsOf returns the columns of one of this package's own tables.
func columnsOf(name string) []string {
	t, err := lookupTable(name)
	if err != nil {
		panic(err) // unreachable: callers pass a Table* constant
	}
	return t.columnNames()
}
