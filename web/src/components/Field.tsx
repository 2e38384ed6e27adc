import type { ComponentChildren, PartialInputHTMLAttributes } from 'preact';
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { EyeIcon, EyeOffIcon } from './Icons';

type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'role' | 'type'> & {
  label: string;
  id: string;
  hint?: ComponentChildren;
};

/** Labelled text input; uncontrolled so values are read from the form. */
export function Field({ label, id, hint, class: cls, ...rest }: InputProps) {
  return (
    <div class={'field' + (cls ? ' ' + cls : '')}>
      <label class="field-label" for={id}>
        {label}
      </label>
      <input id={id} class="field-input" {...rest} />
      {hint && <div class="field-hint">{hint}</div>}
    </div>
  );
}

/** Password input with a show/hide toggle. */
export function PasswordField({ label, id, hint, class: cls, ...rest }: InputProps) {
  const [visible, setVisible] = useState(false);
  return (
    <div class={'field' + (cls ? ' ' + cls : '')}>
      <label class="field-label" for={id}>
        {label}
      </label>
      <div class="field-with-button">
        <input id={id} class="field-input" {...rest} type={(visible ? 'text' : 'password') as 'text'} />
        <button
          type="button"
          class="icon-button field-eye"
          aria-label={visible ? t('ui.field.hidePassword') : t('ui.field.showPassword')}
          aria-pressed={visible}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? <EyeOffIcon size={20} /> : <EyeIcon size={20} />}
        </button>
      </div>
      {hint && <div class="field-hint">{hint}</div>}
    </div>
  );
}

export function FormError({ message }: { message: string }) {
  if (!message) return null;
  return (
    <p class="form-error" role="alert">
      {message}
    </p>
  );
}
