package gonogo

// Mattermost's incoming webhook takes text in Markdown (at most 16383
// characters). Its attachments are optional; the text alone says it all,
// and links are what a webhook can offer: buttons would need an
// integration to answer them.

type mattermostPayload struct {
	Text string `json:"text"`
}

func mattermostMessage(m ChatMessage) mattermostPayload {
	t := "**" + m.Headline + "**"
	if m.Release != nil {
		t += " · [" + escapeClip(m.Name(), mattermostEsc, 800) + "](" + m.Release.URL + ")"
	}
	t += "\n" + escapeClip(m.Actor, mattermostEsc, 300) + ": " + escapeClip(m.What, mattermostEsc, 2000)
	if len(m.Reasons) > 0 {
		t += "\n\n**Blocked by:**" + m.bullets(mattermostEsc, 800, "- ", "- *"+m.MoreText()+"*")
	}
	if m.Release != nil {
		t += "\n\n[Sign off on the release page](" + m.SignOffURL + ")"
	}
	return mattermostPayload{Text: t}
}
