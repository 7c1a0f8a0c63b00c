import { meteringOnOff } from './bench/metering-v1.ts'
const t0 = Date.now()
console.log(JSON.stringify(await meteringOnOff()), (Date.now() - t0) / 1000, 's')
