// Package pdf prints an HTML page to an A4 PDF with headless Chromium,
// through the DevTools protocol (chromedp). It is apart from package
// report so that only what prints PDFs depends on a browser.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrNoChromium says no Chromium was found to print with.
var ErrNoChromium = errors.New("printing a PDF needs Chromium (Debian: apt-get install chromium); write the report as .html and print it from a browser instead")

// FindChromium returns the path of an installed Chromium or Chrome, or
// ErrNoChromium.
func FindChromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Print renders html (a self-contained page) with Chromium and returns the
// PDF: A4, with the page number and count at the foot of every page. The
// page is loaded from a private temporary file, with the network turned
// off, so nothing is fetched from anywhere.
func Print(ctx context.Context, html []byte, title string) ([]byte, error) {
	path, err := FindChromium()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "budgetgrid-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	footer := `<div style="font-family:Arial,sans-serif;font-size:8pt;color:#505a5f;width:100%;text-align:center"><span class="title"></span> · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+file)); err != nil {
		return nil, fmt.Errorf("printing %s to PDF with %s: %w", title, path, err)
	}
	yes := true
	top, bottom, side := 0.7, 0.8, 0.6
	res, err := chromedp.Call(tab, page.PrintToPDF, page.PrintToPDFParams{
		PaperWidth: 8.27, PaperHeight: 11.69, // A4, in inches
		MarginTop: &top, MarginBottom: &bottom, MarginLeft: &side, MarginRight: &side,
		PrintBackground: &yes, DisplayHeaderFooter: &yes,
		HeaderTemplate: `<span></span>`, FooterTemplate: footer,
		GenerateTaggedPDF: &yes, GenerateDocumentOutline: &yes,
	})
	out := res.Data
	if err != nil {
		return nil, fmt.Errorf("printing %s to PDF with %s: %w", title, path, err)
	}
	return out, nil
}
