import { editedFields, readField, writeField } from './fields'

/**
 * Content regions tried in order: the first that occurs exactly once in both the open page and
 * the fetched one is updated. Wider regions come first, so that a sidebar listing recent posts or
 * comments inside `#content` is updated too. Block themes usually have only `main`.
 */
export const REGIONS = ['#content', 'main', '#main', '[role="main"]', '#primary', '.site-content']

/**
 * Outcome of an update: every change applied, some withheld because they would replace what the
 * visitor is editing, or no common region to update.
 */
export type SwapResult = 'complete' | 'partial' | 'impossible'

/**
 * Updates the open page's content region to match `next`. Equal nodes are kept, elements of the
 * same tag are updated in place, and only the nodes that differ otherwise are replaced. A change
 * that would replace an edited or focused field is withheld, unless `force` is set: then the
 * field is replaced and the visitor's value and focus move to the matching new field.
 */
export function swapContent(next: Document, force: boolean): SwapResult {
  const region = findRegion(next)
  if (!region) return 'impossible'
  const complete = patch(region[0], region[1], editedFields(document), force)
  if (next.title && next.title !== document.title) document.title = next.title
  return complete ? 'complete' : 'partial'
}

function findRegion(next: Document): [Element, Element] | null {
  for (const selector of REGIONS) {
    const current = document.querySelectorAll(selector)
    const fresh = next.querySelectorAll(selector)
    if (current.length === 1 && fresh.length === 1) return [current[0]!, fresh[0]!]
  }
  return null
}

const containsEdit = (node: Node, editing: Element[]) =>
  editing.some((field) => node.contains(field))

/**
 * Makes `current` equal to `next`. Returns false when a change was withheld because it would
 * replace an edited field.
 */
function patch(current: Node, next: Node, editing: Element[], force: boolean): boolean {
  if (current.isEqualNode(next)) return true
  const sameElement =
    current instanceof Element &&
    next instanceof Element &&
    current.nodeName === next.nodeName &&
    !editing.includes(current)
  if (sameElement) {
    copyAttributes(current, next)
    if (patchChildren(current, next, editing, force)) return true
  }
  if (!force && containsEdit(current, editing)) return false
  replaceRange(current.parentNode!, [current], [next], current.nextSibling, editing)
  return true
}

function copyAttributes(current: Element, next: Element) {
  for (const name of current.getAttributeNames()) {
    if (!next.hasAttribute(name)) current.removeAttribute(name)
  }
  for (const name of next.getAttributeNames()) {
    const value = next.getAttribute(name)!
    if (current.getAttribute(name) !== value) current.setAttribute(name, value)
  }
}

/**
 * Updates a node's children. Lists of equal length are patched pair by pair. Otherwise the equal
 * nodes at both ends are kept and the differing middle is replaced, except a child containing an
 * edited field: that one is kept, matched in the new middle by id or by tag and class, and the
 * nodes on either side of it are replaced.
 */
function patchChildren(parent: Element, next: Element, editing: Element[], force: boolean) {
  const olds = Array.from(parent.childNodes)
  const news = Array.from(next.childNodes)
  const aligned = olds.every(
    (node, i) => !containsEdit(node, editing) || news[i]?.nodeName === node.nodeName,
  )
  if (olds.length === news.length && aligned) {
    let complete = true
    olds.forEach((node, i) => {
      if (!patch(node, news[i]!, editing, force)) complete = false
    })
    return complete
  }
  const shorter = Math.min(olds.length, news.length)
  let head = 0
  while (head < shorter && olds[head]!.isEqualNode(news[head]!)) head++
  let tail = 0
  const equalAtEnd = () => olds[olds.length - 1 - tail]!.isEqualNode(news[news.length - 1 - tail]!)
  while (tail < shorter - head && equalAtEnd()) tail++
  const oldMiddle = olds.slice(head, olds.length - tail)
  const newMiddle = news.slice(head, news.length - tail)
  const end = olds[olds.length - tail] ?? null
  const edited = oldMiddle.filter((node) => containsEdit(node, editing))
  if (edited.length === 0 || force) {
    replaceRange(parent, oldMiddle, newMiddle, end, editing)
    return true
  }
  const child = edited[0]!
  const at = oldMiddle.indexOf(child)
  const match = edited.length === 1 ? counterpart(child, at, oldMiddle.length, newMiddle) : -1
  if (match < 0) return false
  replaceRange(parent, oldMiddle.slice(0, at), newMiddle.slice(0, match), child, editing)
  replaceRange(parent, oldMiddle.slice(at + 1), newMiddle.slice(match + 1), end, editing)
  return patch(child, newMiddle[match]!, editing, force)
}

/** Finds the index in `news` of the node that `child` (at `at` of `count` old nodes) became. */
function counterpart(child: Node, at: number, count: number, news: Node[]): number {
  if (child instanceof Element && child.id) {
    return news.findIndex((node) => node instanceof Element && node.id === child.id)
  }
  const same = (node: Node | undefined) =>
    node !== undefined &&
    node.nodeName === child.nodeName &&
    (node as Element).className === (child as Element).className
  // Forms usually close their container, so try the same place from the end first.
  const fromEnd = news.length - (count - at)
  if (same(news[fromEnd])) return fromEnd
  if (same(news[at])) return at
  const candidates = news.filter(same)
  return candidates.length === 1 ? news.indexOf(candidates[0]!) : -1
}

/**
 * Replaces the nodes `olds` of `parent` with copies of `news`, inserted before `before`. The
 * visitor's values and focus in `olds` move to the new fields with the same id or name.
 */
function replaceRange(
  parent: Node,
  olds: Node[],
  news: Node[],
  before: Node | null,
  editing: Element[],
) {
  const values = editing.filter((field) => olds.some((node) => node.contains(field))).map(readField)
  for (const node of olds) parent.removeChild(node)
  const fresh = news.map((node) => document.importNode(node, true))
  for (const node of fresh) parent.insertBefore(node, before)
  for (const node of fresh) {
    if (node instanceof Element) for (const value of values) writeField(node, value)
  }
}
