import { OPERATIONS } from './operations.js'

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

type Operation = Record<string, unknown>
type PathItem = Partial<Record<typeof METHODS[number], Operation>>
interface OpenApiDocument { paths?: Record<string, PathItem> }

/** An id for a route the catalog does not name yet: unique, but not promised to stay. */
const derivedId = (method: string, path: string) =>
  method + path.replace(/[{}]/g, '').split(/[^A-Za-z0-9]+/).filter(Boolean).map((word) => word[0]?.toUpperCase() + word.slice(1)).join('')

/**
 * Names every operation from the catalog (operations.ts). @fastify/swagger gives the methods of
 * one route one shared operation object; ids must be unique per method, so each gets its own copy.
 */
export function finishDocument<T extends object> (document: T): T {
  for (const [path, item] of Object.entries((document as OpenApiDocument).paths ?? {})) {
    const entry = OPERATIONS[path]
    for (const method of METHODS) {
      const operation = item[method]
      if (operation === undefined) continue
      const id = entry?.ids[method.toUpperCase()]
      const { 'x-optional-body': optionalBody, ...rest } = operation
      item[method] = {
        ...(entry === undefined ? {} : { tags: [entry.tag], summary: entry.summary }),
        ...(entry?.description === undefined ? {} : { description: entry.description }),
        ...rest,
        // route-docs.ts marks a body the route takes but does not require.
        ...(optionalBody === true ? { requestBody: { ...rest.requestBody as object, required: false } } : {}),
        operationId: id ?? derivedId(method, path)
      }
    }
  }
  return document
}
