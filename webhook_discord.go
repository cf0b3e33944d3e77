package gonogo

import "time"

// Discord's webhook takes content (at most 2000 characters) and embeds (at
// most 10; a title of at most 256, a description of at most 4096, and at
// most 6000 in all). allowed_mentions with nothing to parse means the
// message pings nobody, whatever it says; the escapes keep it from even
// looking like a mention or a masked link.

type discordPayload struct {
	Content         string          `json:"content"`
	Embeds          []discordEmbed  `json:"embeds"`
	AllowedMentions discordMentions `json:"allowed_mentions"`
}

type discordMentions struct {
	Parse []string `json:"parse"`
}

type discordEmbed struct {
	Title       string `json:"title"`
	URL         string `json:"url,omitempty"`
	Description string `json:"description"`
	Color       int    `json:"color"`
	Timestamp   string `json:"timestamp,omitempty"`
}

// Embed colours: red when the gate blocks the release, blue otherwise.
const (
	discordBlocked = 0xD93025
	discordInfo    = 0x1A73E8
)

func discordMessage(m ChatMessage) discordPayload {
	content := "**" + m.Headline + "**"
	if m.Release != nil {
		content += ": " + escapeClip(m.Release.Product+" "+m.Release.Version, discordEsc, 300)
	}
	embed := discordEmbed{Title: m.Headline, Color: discordInfo}
	if m.Release != nil {
		embed.Title, embed.URL = escapeClip(m.Name(), discordEsc, 256), m.Release.URL
	}
	if !m.At.IsZero() {
		embed.Timestamp = m.At.UTC().Format(time.RFC3339)
	}
	desc := "**" + escapeClip(m.Actor, discordEsc, 200) + "**: " + escapeClip(m.What, discordEsc, 1500)
	if len(m.Reasons) > 0 {
		embed.Color = discordBlocked
		desc += "\n\n**Blocked by:**" + m.bullets(discordEsc, 600, "• ", "*"+m.MoreText()+"*")
	}
	if m.Release != nil {
		desc += "\n\n[Sign off on the release page](" + m.SignOffURL + ")"
	}
	embed.Description = desc
	return discordPayload{Content: content, Embeds: []discordEmbed{embed}, AllowedMentions: discordMentions{Parse: []string{}}}
}
