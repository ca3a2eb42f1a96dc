/** A keyboard shortcut as shown on a button or heading: hidden on phones, which have no such keys. */
export function Shortcut({ keys }: { keys: string[] }) {
  return (
    <span class="keys" aria-hidden="true">
      {keys.map((k, i) => (
        <>
          {i > 0 && '+'}
          <kbd>{k}</kbd>
        </>
      ))}
    </span>
  );
}
