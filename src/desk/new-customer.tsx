/**
 * A caller the search did not find, created from what was typed: the text
 * lands in the field it looks like (phone, e-mail or name) and focus goes to
 * the first field still empty. The service finds-or-creates by phone or
 * e-mail, so a duplicate typed here opens the existing card instead.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type CustomerCard } from './api.js';
import { guessField } from './format.js';
import { CloseButton, ErrorNotice } from './controls.js';

interface Props {
  text: string;
  onCreated: (card: CustomerCard) => void;
  onClose: () => void;
}

export function NewCustomerForm({ text, onCreated, onClose }: Props) {
  const guess = guessField(text);
  const [fields, setFields] = useState({
    name: guess === 'name' ? text : '',
    phone: guess === 'phone' ? text : '',
    email: guess === 'email' ? text : '',
    street: '',
    postcode: '',
    city: '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; field?: string } | null>(null);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    const empty = [...(form.current?.querySelectorAll<HTMLInputElement>('input') ?? [])].find(
      (i) => !i.value,
    );
    empty?.focus();
  }, []);

  const set = (key: keyof typeof fields) => (e: Event) =>
    setFields({ ...fields, [key]: (e.currentTarget as HTMLInputElement).value });

  async function create(): Promise<void> {
    setBusy(true);
    setError(null);
    const address =
      fields.street.trim() && fields.postcode.trim() && fields.city.trim()
        ? { street: fields.street.trim(), postcode: fields.postcode.trim(), city: fields.city.trim() }
        : undefined;
    try {
      onCreated(
        await api.createCustomer({
          name: fields.name.trim(),
          phone: fields.phone.trim(),
          ...(fields.email.trim() ? { email: fields.email.trim() } : {}),
          ...(address ? { address } : {}),
        }),
      );
    } catch (e) {
      setError(
        e instanceof ApiError ? { text: e.message, field: e.field } : { text: 'Le service ne répond pas.' },
      );
    } finally {
      setBusy(false);
    }
  }

  const invalid = (key: string) => (error?.field?.endsWith(key) ? true : undefined);
  return (
    <section
      class="panel"
      aria-labelledby="new-customer-title"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <h2 id="new-customer-title">Nouveau client</h2>
      <form
        ref={form}
        class="fields"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <label>
          Nom
          <input required value={fields.name} onInput={set('name')} aria-invalid={invalid('name')} />
        </label>
        <label>
          Téléphone
          <input
            type="tel"
            required
            value={fields.phone}
            onInput={set('phone')}
            aria-invalid={invalid('phone')}
          />
        </label>
        <label>
          E-mail (facultatif)
          <input type="email" value={fields.email} onInput={set('email')} aria-invalid={invalid('email')} />
        </label>
        <label class="wide">
          Rue
          <input value={fields.street} onInput={set('street')} />
        </label>
        <label>
          Code postal
          <input value={fields.postcode} inputMode="numeric" maxLength={5} onInput={set('postcode')} />
        </label>
        <label>
          Ville
          <input value={fields.city} onInput={set('city')} />
        </label>
        <div class="buttons wide">
          <button type="submit" class="primary" disabled={busy}>
            Créer la fiche
          </button>
          <CloseButton onClose={onClose} />
        </div>
      </form>
      {error && <ErrorNotice>{error.text}</ErrorNotice>}
    </section>
  );
}
