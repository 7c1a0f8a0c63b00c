export { UnauthorizedError } from '../errors.ts'
