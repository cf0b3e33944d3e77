package views

import (
	"slices"

	"github.com/a-h/templ"
)

// Form is one form of a page as a refusal shows it. Every form shows its
// refusal the same way, through it: a summary at the top of the form that
// links each message to its field (ErrorSummary), the message beside the
// field (FieldError), and the field itself marked invalid, described by its
// message and, for the first field in error, focused (Field). The focus is
// an autofocus attribute: browsers honour it without JavaScript, scrolling
// the field into view, and htmx honours it in the content it swaps in.
type Form struct {
	id      string
	errors  map[string]string
	fields  []string
	heading string
	details []string
}

// NewForm is a form whose fields' ids start with id, which makes them
// unique on the page, showing errs, the messages by field name. fields
// names its fields in the order the page shows them, so that the summary
// reads in that order and the focus goes to the first field in error. A
// message for a name not among them (or for "") is about the whole form:
// the summary shows it without a link, and takes the focus if no field does.
func NewForm(id string, errs map[string]string, fields ...string) Form {
	return Form{id: id, errors: errs, fields: fields, heading: "Nothing was saved:"}
}

// Titled gives the summary another heading than "Nothing was saved:".
func (f Form) Titled(heading string) Form {
	f.heading = heading
	return f
}

// WithDetails adds the reasons behind a refusal to the summary, e.g. what
// blocks the gate.
func (f Form) WithDetails(details []string) Form {
	f.details = details
	return f
}

// Refused reports whether the form has anything to show.
func (f Form) Refused() bool { return len(f.errors) > 0 }

// FieldID is the id of the field named name.
func (f Form) FieldID(name string) string { return f.id + "-" + name }

func (f Form) errorID(name string) string { return f.id + "-" + name + "-error" }

func (f Form) summaryID() string { return f.id + "-errors" }

// Field is the attributes of the field named name: its id and, while it is
// in error, aria-invalid, its message as its description and, for the
// first field in error, autofocus.
func (f Form) Field(name string) templ.Attributes {
	a := templ.Attributes{"id": f.FieldID(name)}
	if _, ok := f.errors[name]; !ok {
		return a
	}
	a["aria-invalid"] = "true"
	a["aria-describedby"] = f.errorID(name)
	if name == f.focus() {
		a["autofocus"] = true
	}
	return a
}

// focus is the field that takes the focus: the first in error, or "" when
// only the form as a whole is wrong and the summary takes it.
func (f Form) focus() string {
	for _, name := range f.fields {
		if _, ok := f.errors[name]; ok {
			return name
		}
	}
	return ""
}

// problem is one line of the summary: a message, and the field it links to.
type problem struct {
	Message string
	Href    string // "" for a message about the whole form
}

// problems lists the summary's lines: first what is about the whole form,
// then each field's message in the order the page shows the fields.
func (f Form) problems() []problem {
	var out []problem
	var general []string
	for name := range f.errors {
		if !slices.Contains(f.fields, name) {
			general = append(general, name)
		}
	}
	slices.Sort(general)
	for _, name := range general {
		out = append(out, problem{Message: f.errors[name]})
	}
	for _, name := range f.fields {
		if msg, ok := f.errors[name]; ok {
			out = append(out, problem{Message: msg, Href: "#" + f.FieldID(name)})
		}
	}
	return out
}

// summaryAttrs let the summary take the focus when no field does.
func (f Form) summaryAttrs() templ.Attributes {
	if f.focus() != "" {
		return nil
	}
	return templ.Attributes{"tabindex": "-1", "autofocus": true}
}
