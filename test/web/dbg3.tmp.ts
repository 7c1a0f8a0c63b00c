import { readFileSync } from 'node:fs'
import { openBrowser } from '/work/wt-dash/test/web/browser.ts'

const token = readFileSync('/tmp/dash-dev/api-token', 'utf8').trim()
await using b = await openBrowser()
await b.context.addInitScript({
  content: `sessionStorage.setItem('commons.apiToken', ${JSON.stringify(token)})`,
})
const page = await b.context.newPage()
await page.setViewportSize({ width: 390, height: 844 })
for (const v of ['overview', 'model', 'proposals', 'network', 'playground']) {
  await page.goto(`http://127.0.0.1:8999/#/${v}`)
  await page.waitForSelector(`[data-ready="${v}"]`)
  console.log(
    v,
    await page.evaluate(
      `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0,5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent||'').slice(0,40))`,
    ),
  )
}
