import { readFileSync } from 'node:fs'
import { openBrowser } from '/work/wt-dash/test/web/browser.ts'

const token = readFileSync('/tmp/dash-dev/api-token', 'utf8').trim()
await using b = await openBrowser()
await b.context.addInitScript({
  content: `sessionStorage.setItem('commons.apiToken', ${JSON.stringify(token)})`,
})
const page = await b.context.newPage()
page.on('console', (m) => console.log('console', m.type(), m.text(), m.location().url))
page.on('pageerror', (e) => console.log('pageerror', e.message, e.stack))
await page.goto(`http://127.0.0.1:8999/#/playground`)
await page.waitForSelector('[data-ready="playground"]')
await page.getByRole('button', { name: 'Send' }).click()
for (let i = 0; i < 40; i++) {
  await page.waitForTimeout(1000)
  console.log(
    JSON.stringify(await page.getByTestId('chat-state').textContent()),
    JSON.stringify(await page.getByTestId('answer').textContent()),
  )
}
