/**
 * Correcting a caller's name, phone numbers or e-mail from their card: a
 * caller who changed number, or whose name was misheard, is fixed where
 * Claire sees it. The service refuses a number that belongs to another
 * customer; the refusal lands on the field it names.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type CustomerCard } from './api.js';
import { phoneText } from './format.js';
import { CloseButton, ErrorNotice } from './controls.js';

interface Props {
  card: CustomerCard;
  onSaved: (notice: string) => void;
  onClose: () => void;
}

export function ContactEditor({ card, onSaved, onClose }: Props) {
  const [name, setName] = useState(card.name);
  const [phones, setPhones] = useState(card.phones.length > 0 ? card.phones.map(phoneText) : ['']);
  const [email, setEmail] = useState(card.email ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; field?: string } | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  async function save(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await api.updateCustomer(card.id, {
        name: name.trim(),
        phones: phones.map((p) => p.trim()).filter(Boolean),
        email: email.trim() || null,
      });
      onSaved('Coordonnées enregistrées.');
    } catch (e) {
      setError(
        e instanceof ApiError ? { text: e.message, field: e.field } : { text: 'Le service ne répond pas.' },
      );
    } finally {
      setBusy(false);
    }
  }

  const invalid = (field: string) => (error?.field === `body.${field}` ? true : undefined);
  return (
    <form
      class="fields contact-editor"
      aria-label="Coordonnées du client"
      onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), onClose())}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label class="wide">
        Nom
        <input
          ref={first}
          required
          maxLength={120}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          aria-invalid={invalid('name')}
        />
      </label>
      {phones.map((phone, i) => (
        <label key={i}>
          {i === 0 ? 'Téléphone principal' : `Autre téléphone ${phones.length > 2 ? i : ''}`.trim()}
          <input
            type="tel"
            required={i === 0}
            value={phone}
            onInput={(e) => setPhones(phones.map((p, j) => (j === i ? e.currentTarget.value : p)))}
            aria-invalid={invalid(`phones.${i}`)}
          />
        </label>
      ))}
      <label class="wide">
        E-mail (facultatif)
        <input
          type="email"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
          aria-invalid={invalid('email')}
        />
      </label>
      <div class="buttons wide">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Enregistrement…' : 'Enregistrer'}
        </button>
        {phones.length < 10 && (
          <button type="button" onClick={() => setPhones([...phones, ''])}>
            + Autre numéro
          </button>
        )}
        <CloseButton onClose={onClose} />
      </div>
      {error && <ErrorNotice wide>{error.text}</ErrorNotice>}
    </form>
  );
}
