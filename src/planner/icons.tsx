/** Small inline icons (SVG, drawn in the text colour): emoji render differently on every system. */

export function PinIcon({ size = 11 }: { size?: number }) {
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M9.8 1.2a1 1 0 0 1 1.4 0l3.6 3.6a1 1 0 0 1 0 1.4l-.7.7a1 1 0 0 1-1.2.2L10.6 9l.3 2.7a1 1 0 0 1-.3.8l-.6.6L7.1 10.2 3 14.3 1.7 13l4.1-4.1L2.9 6l.6-.6a1 1 0 0 1 .8-.3l2.7.3 1.9-2.3a1 1 0 0 1 .2-1.2z"
      />
    </svg>
  );
}

export function CheckIcon({ size = 11 }: { size?: number }) {
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path fill="none" stroke="currentColor" stroke-width="2.4" d="M2.5 8.5l3.5 3.5 7.5-8" />
    </svg>
  );
}
