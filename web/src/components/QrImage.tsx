// A QR code of `value`. Placeholder until the QR codes part brings its
// library: it draws a QR-like frame (finder squares, no data) with the
// link under it, so the page reads right. Replace the body, keep the props.
export function QrImage({ value, size = 200, label }: { value: string; size?: number; label?: string }) {
  const finder = (x: number, y: number) => (
    <g key={x + '-' + y}>
      <rect x={x} y={y} width="7" height="7" fill="#111" />
      <rect x={x + 1} y={y + 1} width="5" height="5" fill="#fff" />
      <rect x={x + 2} y={y + 2} width="3" height="3" fill="#111" />
    </g>
  );
  // A fixed pattern derived from the value, so codes look different.
  let h = 2166136261;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 16777619);
  const cells = [];
  for (let y = 0; y < 25; y++) {
    for (let x = 0; x < 25; x++) {
      const inFinder = (x < 8 && y < 8) || (x > 16 && y < 8) || (x < 8 && y > 16);
      if (inFinder) continue;
      h = Math.imul(h ^ (x * 31 + y), 16777619);
      if ((h >>> 13) & 1) cells.push(<rect key={x + ':' + y} x={x} y={y} width="1" height="1" fill="#111" />);
    }
  }
  return (
    <svg
      class="qr-image"
      width={size}
      height={size}
      viewBox="-2 -2 29 29"
      role="img"
      aria-label={label ?? 'QR code'}
      data-qr-value={value}
      shape-rendering="crispEdges"
    >
      <rect x="-2" y="-2" width="29" height="29" fill="#fff" />
      {cells}
      {finder(0, 0)}
      {finder(18, 0)}
      {finder(0, 18)}
    </svg>
  );
}
