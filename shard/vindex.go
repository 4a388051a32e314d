package shard

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

var (
	// ErrBadKey is returned (wrapped) by Vindex.Map for a shard-key value that
	// is not an integer: a float, a bool, NULL, or a string that does not hold
	// a decimal 64-bit integer.
	ErrBadKey = errors.New("shard: bad shard key")

	// ErrUnknownVindex is returned (wrapped) by NewVindex for a name it does
	// not know; the message lists the names it does know.
	ErrUnknownVindex = errors.New("shard: unknown vindex")

	// ErrBadParam is returned (wrapped) by NewVindex and NewModulo for a
	// missing, unknown or invalid vindex parameter.
	ErrBadParam = errors.New("shard: bad vindex parameter")

	// ErrBadKeyspaceID is returned (wrapped) for a keyspace id that is not 8
	// bytes long where one is required, as in Hash.Unmap.
	ErrBadKeyspaceID = errors.New("shard: bad keyspace id")
)

// Vindex maps a shard-key value to a keyspace id, the way a Vitess vindex
// does. A Map then finds the shard whose key range holds the keyspace id.
//
// Map accepts the Go integer types (int, int8…int64, uint, uint8…uint64, and
// named types based on them) and a string or []byte holding a decimal 64-bit
// integer, because SQL literals reach the router as text. Any other value,
// including nil (SQL NULL), yields an error wrapping ErrBadKey. On success
// Map returns a new 8-byte slice that the caller owns.
//
// Every Vindex in this package is safe for concurrent use.
type Vindex interface {
	// Name returns the name NewVindex knows the vindex by, such as "hash".
	Name() string
	// Map returns the keyspace id of the shard-key value v.
	Map(v any) ([]byte, error)
}

// registry lists the vindexes NewVindex can build, sorted by name. It is
// never written after initialization.
var registry = [...]struct {
	name string
	new  func(params map[string]string) (Vindex, error)
}{
	{"hash", func(params map[string]string) (Vindex, error) {
		if err := checkParams("hash", params); err != nil {
			return nil, err
		}
		return NewHash(), nil
	}},
	{"modulo", newModuloParams},
	{"xxhash", func(params map[string]string) (Vindex, error) {
		if err := checkParams("xxhash", params); err != nil {
			return nil, err
		}
		return NewXXHash(), nil
	}},
}

// Names returns the names NewVindex knows, sorted. The slice is new on every
// call.
func Names() []string {
	names := make([]string, len(registry))
	for i, r := range registry {
		names[i] = r.name
	}
	return names
}

// NewVindex builds the vindex called name, configured by params (nil means
// no parameters). "hash" and "xxhash" take no parameters; "modulo" needs
// "shards", the number of shards N. An unknown name yields an error wrapping
// ErrUnknownVindex that lists the known names; a missing, unknown or invalid
// parameter yields one wrapping ErrBadParam. NewVindex does no I/O.
func NewVindex(name string, params map[string]string) (Vindex, error) {
	for _, r := range registry {
		if r.name == name {
			return r.new(params)
		}
	}
	return nil, fmt.Errorf("%w %q: use one of %s", ErrUnknownVindex, name, strings.Join(Names(), ", "))
}

// checkParams rejects any parameter not in allowed, so that a typo in a
// topology file fails loudly instead of being ignored.
func checkParams(vindex string, params map[string]string, allowed ...string) error {
	var unknown []string
	for k := range params {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	want := "it takes none"
	if len(allowed) > 0 {
		want = "it takes " + strings.Join(allowed, ", ")
	}
	return fmt.Errorf("%w: vindex %s does not know %s: %s", ErrBadParam, vindex, strings.Join(unknown, ", "), want)
}

// intKey is a shard-key value reduced to a 64-bit integer. A negative value
// is held in u as two's complement, the way Vitess converts a signed id to
// uint64 for the hash vindex; neg remembers the sign for vindexes that need
// the decimal text.
type intKey struct {
	u   uint64
	neg bool
}

func signed(i int64) intKey { return intKey{u: uint64(i), neg: i < 0} }

// appendDecimal appends the value's canonical decimal text, as MySQL would
// print the integer.
func (k intKey) appendDecimal(b []byte) []byte {
	if k.neg {
		return strconv.AppendInt(b, int64(k.u), 10)
	}
	return strconv.AppendUint(b, k.u, 10)
}

// toKey converts a shard-key value to an integer, or returns an error
// wrapping ErrBadKey that says what was wrong with it.
func toKey(v any) (intKey, error) {
	switch x := v.(type) {
	case int:
		return signed(int64(x)), nil
	case int64:
		return signed(x), nil
	case int32:
		return signed(int64(x)), nil
	case int16:
		return signed(int64(x)), nil
	case int8:
		return signed(int64(x)), nil
	case uint:
		return intKey{u: uint64(x)}, nil
	case uint64:
		return intKey{u: x}, nil
	case uint32:
		return intKey{u: uint64(x)}, nil
	case uint16:
		return intKey{u: uint64(x)}, nil
	case uint8:
		return intKey{u: uint64(x)}, nil
	case string:
		return parseKey(x)
	case []byte:
		return parseKey(string(x))
	case float64:
		return floatKey(x, strconv.FormatFloat(x, 'g', -1, 64))
	case float32:
		return floatKey(float64(x), strconv.FormatFloat(float64(x), 'g', -1, 32))
	case nil:
		return intKey{}, fmt.Errorf("%w: NULL has no keyspace id: give the row a non-NULL shard key", ErrBadKey)
	}
	// Named types such as `type UserID int64` take the slow path.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return signed(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return intKey{u: rv.Uint()}, nil
	case reflect.String:
		return parseKey(rv.String())
	case reflect.Float32, reflect.Float64:
		return floatKey(rv.Float(), strconv.FormatFloat(rv.Float(), 'g', -1, 64))
	}
	return intKey{}, fmt.Errorf("%w: %T %v: want an integer, or a string holding a decimal integer", ErrBadKey, v, v)
}

// maxExactFloat is 2^53: every integer up to it, and none much past it,
// has a float64 of its own.
const maxExactFloat = 1 << 53

// floatKey is the key of a DOUBLE or FLOAT value, as a client sends a
// shard key bound as a floating-point parameter: an integral value is the
// integer (5.0 finds the row of 5, as the server's comparison does), and a
// value with a fraction is refused rather than truncated, since the server
// would round it into an INT column (5.5 becomes 6) and the row would land
// on another shard than the one the router picked. So is an integral value
// past 2^53, where a float64 no longer names one integer.
func floatKey(f float64, text string) (intKey, error) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return intKey{}, fmt.Errorf("%w %s: not a number", ErrBadKey, text)
	case f != math.Trunc(f):
		return intKey{}, fmt.Errorf("%w %s: a shard key must be an integer; a fraction is refused rather than rounded (the server would round it, and the row would belong to another shard)", ErrBadKey, text)
	case math.Abs(f) > maxExactFloat:
		return intKey{}, fmt.Errorf("%w %s: past 2^53 a floating-point value does not name one integer; send the key as an integer", ErrBadKey, text)
	case f < 0:
		return signed(int64(f)), nil
	}
	return intKey{u: uint64(f)}, nil
}

func parseKey(s string) (intKey, error) {
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return intKey{u: u}, nil
	}
	if whole, frac, ok := strings.Cut(s, "."); ok && isDecimal(whole) && isDigits(frac) {
		// A DECIMAL such as 5.000: the integer when every fractional
		// digit is 0.
		if strings.Trim(frac, "0") != "" {
			return intKey{}, fmt.Errorf("%w %q: a shard key must be an integer; a fraction is refused rather than rounded (the server would round it, and the row would belong to another shard)", ErrBadKey, s)
		}
		return parseKey(whole)
	}
	if strings.ContainsAny(s, "eE") {
		// A number in exponent form such as 5e0 or 1.5E1, which a server
		// stores in an integer column as the text's exact value, rounded
		// half up: read exactly, not as the float64 nearest it (which
		// rounds '4503599627370496.5e0' to even, a shard away from the
		// row's 4503599627370497).
		return exponentKey(s)
	}
	if strings.HasPrefix(s, "-") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return signed(i), nil
		}
	}
	if isDecimal(s) {
		return intKey{}, fmt.Errorf("%w %q: out of range for a 64-bit integer", ErrBadKey, s)
	}
	return intKey{}, fmt.Errorf("%w %q: want a decimal integer such as 42 or -7", ErrBadKey, s)
}

// exponentKey is the key of s, a decimal number with an exponent
// ([-]digits[.digits]e[±]digits): the integer it is exactly; one with a
// fraction is refused, as is one beyond 64 bits (or whose exponent or
// length is, so that no text makes a vast number to compute: reading one
// costs time quadratic in its length).
func exponentKey(s string) (intKey, error) {
	mant, exp, _ := strings.Cut(strings.ToLower(s), "e")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(mant, "-"), ".")
	e, err := strconv.Atoi(exp)
	switch {
	case err != nil || !isDigits(whole+frac) || whole == "" && frac == "" || strings.HasPrefix(mant, "+"):
		return intKey{}, fmt.Errorf("%w %q: want a decimal integer such as 42 or -7", ErrBadKey, s)
	case e > 40 || e < -40 || len(s) > 80:
		return intKey{}, fmt.Errorf("%w %q: out of range for a 64-bit integer, or a fraction", ErrBadKey, s)
	}
	r, ok := new(big.Rat).SetString(s)
	switch {
	case !ok:
		return intKey{}, fmt.Errorf("%w %q: want a decimal integer such as 42 or -7", ErrBadKey, s)
	case !r.IsInt():
		return intKey{}, fmt.Errorf("%w %q: a shard key must be an integer; a fraction is refused rather than rounded (the server would round it, and the row would belong to another shard)", ErrBadKey, s)
	}
	return parseKey(r.Num().String())
}

// isDigits reports whether s is only ASCII digits (and not empty).
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isDecimal reports whether s is an optional minus sign and digits, which
// strconv rejected only for being out of range.
func isDecimal(s string) bool { return isDigits(strings.TrimPrefix(s, "-")) }

// IntRange is the range of values an integer column holds (a TINYINT's
// -128 to 127, a BIGINT UNSIGNED's 0 to 18446744073709551615).
type IntRange struct {
	Min int64
	Max uint64
}

// ZeroKey reports whether key v is the integer 0 (0, '0', 0.0, '-0'…),
// which an AUTO_INCREMENT column does not store as given: the server
// generates a value in its place.
func ZeroKey(v any) bool {
	k, err := toKey(v)
	return err == nil && k.u == 0
}

// NonZeroKey reports whether v is an integer key other than 0, which an
// AUTO_INCREMENT column stores as given. A value that is neither (a
// string such as ' 0' or '0.4', which the server may read as 0) is
// neither ZeroKey nor NonZeroKey.
func NonZeroKey(v any) bool {
	k, err := toKey(v)
	return err == nil && k.u != 0
}

// Holds reports whether key value v lies in r. A value that is no
// integer key (which Map refuses) is left to Map, and reported held.
func (r IntRange) Holds(v any) bool {
	k, err := toKey(v)
	switch {
	case err != nil:
		return true
	case k.neg:
		return int64(k.u) >= r.Min
	}
	return k.u <= r.Max
}
