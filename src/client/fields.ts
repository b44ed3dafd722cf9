// The visitor's input in form fields: which fields are edited, and carrying values across a
// replacement of the markup around them.

/** Elements that can hold what the visitor typed or chose. */
export const FIELDS = 'input, textarea, select, [contenteditable]'

/** Returns the fields whose value differs from the page's markup, plus the focused field. */
export function editedFields(root: ParentNode): Element[] {
  const edited = Array.from(root.querySelectorAll(FIELDS)).filter(isEdited)
  const active = document.activeElement
  if (active && active.matches(FIELDS) && !edited.includes(active)) edited.push(active)
  return edited
}

function isEdited(field: Element): boolean {
  if (field instanceof HTMLTextAreaElement) return field.value !== field.defaultValue
  if (field instanceof HTMLSelectElement) {
    return Array.from(field.options).some((option) => option.selected !== option.defaultSelected)
  }
  if (!(field instanceof HTMLInputElement)) return false
  if (field.type === 'checkbox' || field.type === 'radio') {
    return field.checked !== field.defaultChecked
  }
  if (field.type === 'file') return (field.files?.length ?? 0) > 0
  if (/^(hidden|submit|button|reset|image)$/.test(field.type)) return false
  return field.value !== field.defaultValue
}

/** A field's value, checked state, focus and selection, and the selector that finds it again. */
export interface FieldValue {
  selector: string | null
  value: string
  checked: boolean
  focused: boolean
  selection: [number | null, number | null]
}

export function readField(field: Element): FieldValue {
  const input = field as HTMLInputElement
  const name = field.getAttribute('name')
  let selector: string | null = null
  if (field.id) selector = `#${CSS.escape(field.id)}`
  else if (name) selector = `${field.localName}[name="${CSS.escape(name)}"]`
  let selection: FieldValue['selection'] = [null, null]
  try {
    selection = [input.selectionStart, input.selectionEnd]
  } catch {
    // Inputs such as checkboxes have no text selection.
  }
  return {
    selector,
    value: input.value,
    checked: input.checked,
    focused: field === document.activeElement,
    selection,
  }
}

export function writeField(root: Element, saved: FieldValue) {
  if (!saved.selector) return
  const field = root.matches(saved.selector) ? root : root.querySelector(saved.selector)
  if (!(field instanceof HTMLElement)) return
  const input = field as HTMLInputElement
  if (input.type === 'checkbox' || input.type === 'radio') input.checked = saved.checked
  else if ('value' in field && input.type !== 'file') input.value = saved.value
  if (!saved.focused) return
  field.focus({ preventScroll: true })
  try {
    input.setSelectionRange(saved.selection[0], saved.selection[1])
  } catch {
    // Number and email inputs reject a selection range.
  }
}
