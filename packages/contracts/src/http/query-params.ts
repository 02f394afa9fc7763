import { Type } from 'typebox'

/**
 * Query parameters as PowerAuth's Spring controllers read them. Query strings stay strings (no
 * coercion): the forms are in the patterns, the api turns them into values.
 */

/** Words Spring's StringToBooleanConverter takes for a boolean parameter, in any case. */
export const SPRING_TRUE_WORDS = ['true', 'on', 'yes', '1'] as const
export const SPRING_FALSE_WORDS = ['false', 'off', 'no', '0'] as const

const anyCase = (word: string) => [...word].map((c) => /[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c).join('')

/**
 * A boolean parameter: true/on/yes/1 or false/off/no/0 in any case, spaces around allowed (Spring
 * trims); empty (`?all=`) means the parameter's default, as for Spring's primitive `boolean`.
 */
export const SpringBooleanParam = (description: string) => Type.String({
  // One `\\s*` per side, never two next to each other: linear time on a long run of spaces.
  pattern: `^\\s*((?:${[...SPRING_TRUE_WORDS, ...SPRING_FALSE_WORDS].map(anyCase).join('|')})\\s*)?$`,
  description: `${description}; also on/off, yes/no, 1/0 in any case, empty for the default`
})

/** Spring Data's largest page (`spring.data.web.pageable.max-page-size`): a larger `size` counts as this. */
export const MAX_PAGE_SIZE = 2000

/** A 0-based page number. */
export const PageNumberParam = Type.String({ pattern: '^[0-9]{1,9}$', description: 'a page number: 0, 1, 2, … (default 0)' })

/** A page size: digits, at least 1; above MAX_PAGE_SIZE it counts as MAX_PAGE_SIZE (Spring's clamp). */
export const PageSizeParam = (defaultSize: number) => Type.String({
  pattern: '^[1-9][0-9]{0,8}$',
  description: `a page size from 1 to ${MAX_PAGE_SIZE} (default ${defaultSize}; a larger one counts as ${MAX_PAGE_SIZE})`
})
