package handlers_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// The product pages fit a laptop and a phone without scrolling sideways,
// and an admin adds a product through the form.
func TestBrowserProductPages(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "storefront-checkout-and-basket", "5.0.0")
	scoped := gonogo.Grants{{Role: gonogo.QALead, Product: "payments"}}
	paula := s.mustCreateUser(t, "paula", nil, false)
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), paula.ID, db.UserUpdate{Products: &scoped}); err != nil {
		t.Fatal(err)
	}
	// The support lead holds the role for storefront only: payments has none.
	none, shop := gonogo.RoleSet{}, gonogo.Grants{{Role: gonogo.SupportLead, Product: "storefront-checkout-and-basket"}}
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), s.users["support"].ID, db.UserUpdate{Roles: &none, Products: &shop}); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "admin")
	must(t, ctx, viewport(laptopW, laptopH), chromedp.Navigate(s.URL+"/admin/products"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=product-create]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=product-create] input[name=key]`), "ledger"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=product-create] input[name=name]`), "General ledger"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=product-create] input[name=owner_team]`), "Finance platform"),
		chromedp.Click(chromedp.CSS(`[data-testid=product-create] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=product-edit]`)))
	if p := s.mustProduct(t, "ledger"); p.Name != "General ledger" {
		t.Fatalf("stored %+v", p)
	}
	pages := map[string]string{
		"products":         "/admin/products",
		"product-admin":    "/admin/products/payments",
		"product-page":     "/products/payments",
		"template-product": "/admin/template?product=payments",
		"template-global":  "/admin/template",
	}
	for _, size := range []struct {
		name string
		w, h int64
	}{{"laptop", laptopW, laptopH}, {"phone", phoneW, phoneH}} {
		for name, path := range pages {
			must(t, ctx, viewport(size.w, size.h), chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(`main`)))
			screenshot(t, ctx, fmt.Sprintf("%s-%s", name, size.name))
			if _, across := pageScroll(t, ctx); across > 0.5 {
				t.Errorf("%s on a %s scrolls %.0f px sideways", path, size.name, across)
			}
		}
	}
}
