import { Svg, type IconProps } from '../components/Icons';

// The QR pages' icons, drawn in components/Icons' frame (24×24, currentColor).

export function ScanIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M3.5 8V5.5a2 2 0 0 1 2-2H8M16 3.5h2.5a2 2 0 0 1 2 2V8M20.5 16v2.5a2 2 0 0 1-2 2H16M8 20.5H5.5a2 2 0 0 1-2-2V16" />
      <path d="M3.5 12h17" />
    </Svg>
  );
}

export function QrIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="3.5" y="3.5" width="6.5" height="6.5" rx="1.2" />
      <rect x="14" y="3.5" width="6.5" height="6.5" rx="1.2" />
      <rect x="3.5" y="14" width="6.5" height="6.5" rx="1.2" />
      <path d="M14 14h2.5v2.5H14zM18 18h2.5v2.5H18zM14 18.5v2M18.5 14h2" />
    </Svg>
  );
}

export function ReceiveIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="3.5" y="5" width="17" height="14" rx="2.5" />
      <path d="M9 9.5l3 3.2 3-3.2M12 12.7v4M9.5 13.7h5" />
    </Svg>
  );
}

export function ChatBubblePlusIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M20 11.5c0 4-3.6 7.2-8 7.2-1.1 0-2.1-.2-3.1-.5L4.5 20l1.2-3.6C4.6 15 4 13.3 4 11.5 4 7.5 7.6 4.3 12 4.3s8 3.2 8 7.2z" />
      <path d="M12 8.8v5.4M9.3 11.5h5.4" />
    </Svg>
  );
}
