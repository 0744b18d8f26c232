package config

import (
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// The errors about a setting name its line: BurntSushi/toml gives the
// line of a syntax error (ParseError) but neither that of a key it does
// not know (MetaData.Undecoded) nor that of a value of the wrong type,
// so the key is found here and its line in the file's text.

// badValue returns the first key of src, in the file's order, whose
// value does not fit its setting's type (a key of a table when the
// table's values are typed), what the file gives (TOML's name of its
// type) and what the setting takes; nil when every value fits.
func badValue(src string) (key toml.Key, got, want string) {
	var raw map[string]toml.Primitive
	md, err := toml.Decode(src, &raw)
	if err != nil {
		return nil, "", ""
	}
	fields := reflect.ValueOf(&file{}).Elem()
	for _, k := range topKeys(md, raw) {
		f := fieldOf(fields, k[0])
		if !f.IsValid() {
			continue
		}
		if err := md.PrimitiveDecode(raw[k[0]], f.Addr().Interface()); err == nil {
			continue
		}
		if sub := badEntry(md, raw[k[0]], f.Type()); sub != "" {
			k = toml.Key{k[0], sub}
			return k, md.Type(k...), typeName(f.Type().Elem())
		}
		return k, md.Type(k...), typeName(f.Type())
	}
	return nil, "", ""
}

// topKeys are the file's top-level keys in its order: those set by a
// dotted key alone ("env.X = 1") come from the first key under them.
func topKeys(md toml.MetaData, raw map[string]toml.Primitive) []toml.Key {
	var keys []toml.Key
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		if !seen[k[0]] {
			seen[k[0]] = true
			keys = append(keys, toml.Key{k[0]})
		}
	}
	for _, k := range sortedKeys(raw) {
		if !seen[k] {
			keys = append(keys, toml.Key{k})
		}
	}
	return keys
}

// badEntry returns the first key of table p whose value does not fit
// the element type of the map type t ("" when t is no map or none).
func badEntry(md toml.MetaData, p toml.Primitive, t reflect.Type) string {
	if t.Kind() != reflect.Map {
		return ""
	}
	var entries map[string]toml.Primitive
	if md.PrimitiveDecode(p, &entries) != nil {
		return ""
	}
	for _, k := range sortedKeys(entries) {
		if md.PrimitiveDecode(entries[k], reflect.New(t.Elem()).Interface()) != nil {
			return k
		}
	}
	return ""
}

// fieldOf is the field of file whose toml tag is name.
func fieldOf(v reflect.Value, name string) reflect.Value {
	for i := range v.NumField() {
		if v.Type().Field(i).Tag.Get("toml") == name {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

// typeName says what a setting of Go type t takes, in TOML's words.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "an array of " + strings.TrimPrefix(typeName(t.Elem()), "a ") + "s"
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return "a table"
		}
		return "a table of " + strings.TrimPrefix(typeName(t.Elem()), "a ") + "s"
	}
	return t.String()
}

// article puts "a" or "an" before TOML's name of a type ("Integer": "an
// integer"), lower-cased.
func article(tomlType string) string {
	t := strings.ToLower(tomlType)
	if t == "hash" {
		t = "table"
	}
	if t != "" && strings.ContainsRune("aeiou", rune(t[0])) {
		return "an " + t
	}
	return "a " + t
}

// keyLine returns the line of src where key is set (or its table
// begins, for a key that is a table), 0 when none is found: a line
// "NAME = ..." whose name, after the table header above it ("[env]"),
// is the key; or the header "[KEY]".
func keyLine(src string, key toml.Key) int {
	want, table, header := key.String(), "", 0
	for i, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			table = normKey(strings.Trim(strings.SplitN(t, "]", 2)[0], "[ \t"))
			if table == want && header == 0 {
				header = i + 1
			}
			continue
		}
		name, _, ok := strings.Cut(t, "=")
		if !ok || strings.HasPrefix(t, "#") {
			continue
		}
		full := normKey(name)
		if table != "" {
			full = table + "." + full
		}
		if full == want {
			return i + 1
		}
	}
	return header
}

// normKey writes a dotted key as toml.Key.String does: no blanks around
// its dots, bare pieces unquoted.
func normKey(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if q := strings.Trim(p, `"'`); len(q) == len(p)-2 && q != "" && bare(q) {
			p = q
		}
		parts[i] = p
	}
	return strings.Join(parts, ".")
}

// bare says whether a key piece needs no quotes.
func bare(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) < 0
}
