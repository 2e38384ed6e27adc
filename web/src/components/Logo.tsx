// The Plaza mark: a speech bubble in a green rounded square.
export function Logo({ size = 64 }: { size?: number }) {
  return (
    // i18n-ignore: the brand's name
    <svg class="logo" width={size} height={size} viewBox="0 0 64 64" role="img" aria-label="Plaza">
      <rect width="64" height="64" rx="16" fill="#07C160" />
      <path
        fill="#fff"
        d="M32 13c-11.6 0-21 7.8-21 17.5 0 5.4 2.9 10.2 7.5 13.4L16.8 51l8.3-4.3c2.2.5 4.5.8 6.9.8 11.6 0 21-7.8 21-17.5S43.6 13 32 13z"
      />
      <circle cx="23.5" cy="30.5" r="3" fill="#07C160" />
      <circle cx="32" cy="30.5" r="3" fill="#07C160" />
      <circle cx="40.5" cy="30.5" r="3" fill="#07C160" />
    </svg>
  );
}
