package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func main() {
	base := os.Args[1]
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.Flag("disable-background-networking", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Navigate(base+"/c/fenshire-2027"))
	must(err)
	for _, sel := range []string{"button.govuk-button--start", "button[value=continue]", "button[value=continue]", "button[value=continue]"} {
		must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))))
		time.Sleep(500 * time.Millisecond)
	}
	must(chromedp.Do(ctx, chromedp.Click(chromedp.ID("service-roads-3"))))
	must(chromedp.Do(ctx, chromedp.Click(chromedp.ID("service-buses-5"))))
	time.Sleep(300 * time.Millisecond)
	for _, w := range []int64{1280, 320} {
		_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: w, Height: 900, DeviceScaleFactor: 1, Mobile: w < 600})
		must(err)
		time.Sleep(200 * time.Millisecond)
		buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		must(err)
		os.WriteFile(fmt.Sprintf("/tmp/shot-%d.png", w), buf, 0o644)
	}
	spent, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-bg="spent"]`)))
	must(err)
	fmt.Println("spent:", spent)
}
