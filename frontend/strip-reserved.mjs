// Remove CSS rules for GOV.UK-only brand artwork (the crown and the Royal Arms
// crest) from the compiled stylesheet. This service is not on GOV.UK, so those
// images are not shipped and their classes must not be used.
//
// Usage: node strip-reserved.mjs <file.css>   (rewrites the file in place)
// Works on sass `--style=compressed` output; drops any selector in a selector
// list that matches RESERVED, then any rule or at-rule block left empty.
import { readFileSync, writeFileSync } from 'node:fs'

const RESERVED = /crown|crest|govuk-footer__copyright-logo/i

// Split `css` into top-level items: { prelude, body } for blocks, or a string
// for declarations / statements such as `@charset "UTF-8";`.
function parse (css) {
  const items = []
  let i = 0
  let start = 0
  while (i < css.length) {
    const ch = css[i]
    if (ch === '"' || ch === "'") {
      i = skipString(css, i)
      continue
    }
    if (ch === ';' ) {
      items.push(css.slice(start, i + 1))
      start = ++i
      continue
    }
    if (ch === '{') {
      const prelude = css.slice(start, i)
      let depth = 1
      let j = i + 1
      while (depth > 0) {
        if (j >= css.length) throw new Error('Unbalanced braces in CSS')
        const c = css[j]
        if (c === '"' || c === "'") { j = skipString(css, j); continue }
        if (c === '{') depth++
        if (c === '}') depth--
        j++
      }
      items.push({ prelude, body: css.slice(i + 1, j - 1) })
      start = i = j
      continue
    }
    i++
  }
  if (start < css.length) items.push(css.slice(start))
  return items
}

function skipString (css, i) {
  const quote = css[i++]
  while (i < css.length && css[i] !== quote) i += css[i] === '\\' ? 2 : 1
  return i + 1
}

function splitSelectors (prelude) {
  // Selector lists in govuk-frontend don't contain commas inside :is()/:not()
  // that matter here, but keep parentheses intact anyway.
  const parts = []
  let depth = 0
  let start = 0
  for (let i = 0; i < prelude.length; i++) {
    if (prelude[i] === '(') depth++
    else if (prelude[i] === ')') depth--
    else if (prelude[i] === ',' && depth === 0) {
      parts.push(prelude.slice(start, i))
      start = i + 1
    }
  }
  parts.push(prelude.slice(start))
  return parts
}

let removed = 0

function filter (css) {
  return parse(css).map((item) => {
    if (typeof item === 'string') return item
    const { prelude, body } = item
    if (prelude.trim().startsWith('@')) {
      if (/^@(font-face|page)\b/.test(prelude.trim())) return `${prelude}{${body}}`
      const inner = filter(body)
      return inner.trim() ? `${prelude}{${inner}}` : ''
    }
    const keep = splitSelectors(prelude).filter((s) => !RESERVED.test(s))
    if (keep.length === 0 || /url\([^)]*(crown|crest)/i.test(body)) {
      removed++
      return ''
    }
    return `${keep.join(',')}{${body}}`
  }).join('')
}

const file = process.argv[2]
if (!file) throw new Error('usage: node strip-reserved.mjs <file.css>')
const out = filter(readFileSync(file, 'utf8'))
writeFileSync(file, out)
console.log(`strip-reserved: removed ${removed} rule(s) from ${file}`)
