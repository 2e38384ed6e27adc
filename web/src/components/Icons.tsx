import type { SVGAttributes } from 'preact';

// Inline SVG icons (24×24 grid, stroke = currentColor). Shapes with the
// class "fillable" are filled when their tab is active, WeChat style.

export type IconProps = SVGAttributes<SVGSVGElement> & { size?: number };

/** The frame every icon draws in (also used by the QR pages' icons). */
export function Svg({ size = 24, children, ...rest }: IconProps) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width={1.7}
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {children}
    </svg>
  );
}

export function ChatsIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path
        class="fillable"
        d="M12 3.5C7.03 3.5 3 6.86 3 11c0 2.3 1.24 4.36 3.2 5.74L5.5 20.5l3.9-2.1c.84.07 1.72.1 2.6.1 4.97 0 9-3.36 9-7.5S16.97 3.5 12 3.5z"
      />
      <circle class="knock" cx="8.5" cy="11" r=".9" fill="currentColor" stroke="none" />
      <circle class="knock" cx="12" cy="11" r=".9" fill="currentColor" stroke="none" />
      <circle class="knock" cx="15.5" cy="11" r=".9" fill="currentColor" stroke="none" />
    </Svg>
  );
}

export function ContactsIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle class="fillable" cx="9.5" cy="8" r="3.8" />
      <path class="fillable" d="M2.8 20c0-3.9 3-6.6 6.7-6.6s6.7 2.7 6.7 6.6z" />
      <path d="M15.6 4.6a3.8 3.8 0 0 1 0 6.8" />
      <path d="M18.4 13.9c1.7.9 2.8 2.9 2.8 6.1" />
    </Svg>
  );
}

export function DiscoverIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle class="fillable" cx="12" cy="12" r="9" />
      <path class="knock-fill" d="M15.8 8.2l-2.3 5.3-5.3 2.3 2.3-5.3z" />
    </Svg>
  );
}

export function WalletIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path class="fillable" d="M3.5 7.5A2.5 2.5 0 0 1 6 5h12a2.5 2.5 0 0 1 2.5 2.5v9A2.5 2.5 0 0 1 18 19H6a2.5 2.5 0 0 1-2.5-2.5z" />
      <path class="knock-fill" d="M20.5 9.8h-4a2.2 2.2 0 0 0 0 4.4h4" />
      <circle cx="16.6" cy="12" r=".9" fill="currentColor" stroke="none" />
    </Svg>
  );
}

export function MeIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle class="fillable" cx="12" cy="8" r="4.2" />
      <path class="fillable" d="M4.5 20.5c0-4.2 3.4-7 7.5-7s7.5 2.8 7.5 7z" />
    </Svg>
  );
}

export function ChevronRightIcon(p: IconProps) {
  return (
    <Svg size={16} {...p}>
      <path d="M9 5.5l6.5 6.5L9 18.5" />
    </Svg>
  );
}

export function BackIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M15 4.5L7.5 12l7.5 7.5" />
    </Svg>
  );
}

export function UserPlusIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle cx="9.5" cy="8" r="3.8" />
      <path d="M2.8 20c0-3.9 3-6.6 6.7-6.6 1.6 0 3.1.5 4.2 1.4" />
      <path d="M18.5 13.5v6M15.5 16.5h6" />
    </Svg>
  );
}

export function PlusCircleIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 8v8M8 12h8" />
    </Svg>
  );
}

export function MiniProgramIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="3.8" y="3.8" width="6.9" height="6.9" rx="1.9" />
      <rect x="13.3" y="3.8" width="6.9" height="6.9" rx="1.9" />
      <rect x="3.8" y="13.3" width="6.9" height="6.9" rx="1.9" />
      <circle cx="16.75" cy="16.75" r="3.5" />
    </Svg>
  );
}

export function LockIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="4.5" y="10.5" width="15" height="10" rx="2.2" />
      <path d="M8 10.5V8a4 4 0 0 1 8 0v2.5" />
      <path d="M12 14.5v2.5" />
    </Svg>
  );
}

export function SettingsIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle cx="12" cy="12" r="3" />
      <path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 1 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06a1.65 1.65 0 0 0 .33-1.82 1.65 1.65 0 0 0-1.51-1H3a2 2 0 1 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06a1.65 1.65 0 0 0 1.82.33H9a1.65 1.65 0 0 0 1-1.51V3a2 2 0 1 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06a1.65 1.65 0 0 0-.33 1.82V9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 1 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z" />
    </Svg>
  );
}

export function MessageIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M12 4C7.3 4 3.5 7.1 3.5 11c0 2.1 1.1 4 2.9 5.3L5.8 20l3.7-1.9c.8.2 1.6.3 2.5.3 4.7 0 8.5-3.1 8.5-7S16.7 4 12 4z" />
    </Svg>
  );
}

export function ShieldIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M12 3l7.5 3v5.5c0 4.6-3.2 8.3-7.5 9.5-4.3-1.2-7.5-4.9-7.5-9.5V6z" />
      <path d="M8.8 12.2l2.2 2.2 4.2-4.4" />
    </Svg>
  );
}

export function CardIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="3" y="5.5" width="18" height="13" rx="2.2" />
      <path d="M3 10h18M7 15h3" />
    </Svg>
  );
}

export function ReceiptIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M6 3.5h12v17l-2.5-1.5-2 1.5-2-1.5-2 1.5-2-1.5L6 20.5z" />
      <path d="M9 8h6M9 11.5h6M9 15h3.5" />
    </Svg>
  );
}

export function AlertIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7.5v5.5" />
      <circle cx="12" cy="16.3" r=".6" fill="currentColor" />
    </Svg>
  );
}

/** "ⓘ": an i in a circle. */
export function InfoIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 11v5.5" />
      <circle cx="12" cy="7.7" r=".6" fill="currentColor" />
    </Svg>
  );
}

export function CloseIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M6 6l12 12M18 6L6 18" />
    </Svg>
  );
}

export function EyeIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12z" />
      <circle cx="12" cy="12" r="3" />
    </Svg>
  );
}

export function EyeOffIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M9.9 5.8A9.8 9.8 0 0 1 12 5.5c6 0 9.5 6.5 9.5 6.5a17 17 0 0 1-2.6 3.4M6.1 7.5C3.8 9.2 2.5 12 2.5 12S6 18.5 12 18.5c1.6 0 3-.4 4.2-1" />
      <path d="M9.9 9.9a3 3 0 0 0 4.2 4.2M3.5 3.5l17 17" />
    </Svg>
  );
}

export function MoreIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle cx="5.5" cy="12" r="1.4" fill="currentColor" stroke="none" />
      <circle cx="12" cy="12" r="1.4" fill="currentColor" stroke="none" />
      <circle cx="18.5" cy="12" r="1.4" fill="currentColor" stroke="none" />
    </Svg>
  );
}

export function ImageIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="3.5" y="4.5" width="17" height="15" rx="2.5" />
      <circle cx="9" cy="9.5" r="1.6" />
      <path d="M20.5 15.5l-4.8-4.6-7.7 8.6" />
    </Svg>
  );
}

export function GroupIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle cx="9" cy="8.5" r="3.3" />
      <path d="M3 19.5c0-3.4 2.7-5.8 6-5.8s6 2.4 6 5.8z" />
      <path d="M15 5.4a3.3 3.3 0 0 1 0 6.2M17.6 14c1.9.8 3.4 2.7 3.4 5.5" />
    </Svg>
  );
}

export function PlusIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M12 5v14M5 12h14" />
    </Svg>
  );
}

export function RedPacketIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="5" y="3" width="14" height="18" rx="2" />
      <path d="M5 8.5c2 1.8 4.4 2.7 7 2.7s5-.9 7-2.7" />
      <circle cx="12" cy="11.5" r="1.8" />
    </Svg>
  );
}

export function TransferIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <circle cx="12" cy="12" r="9" />
      <path d="M8 10h8l-2.5-2.5M16 14H8l2.5 2.5" />
    </Svg>
  );
}

export function CheckIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M5 12.5l4.5 4.5L19 7.5" />
    </Svg>
  );
}

export function TopUpIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M12 4v11M7.5 10.5 12 15l4.5-4.5" />
      <path d="M5 19.5h14" />
    </Svg>
  );
}

export function WithdrawIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M12 15V4M7.5 8.5 12 4l4.5 4.5" />
      <path d="M5 19.5h14" />
    </Svg>
  );
}

export function BagIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M5.5 8h13l-1 12h-11z" />
      <path d="M9 10V7a3 3 0 0 1 6 0v3" />
    </Svg>
  );
}

export function RefundIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M9 8H5V4" />
      <path d="M5.5 8A7.5 7.5 0 1 1 4.5 13" />
    </Svg>
  );
}

export function BackspaceIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M8.5 5.5H20v13H8.5L3 12z" />
      <path d="m11.5 9.5 5 5M16.5 9.5l-5 5" />
    </Svg>
  );
}

export function CrownIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M4 8l4 3.5L12 5l4 6.5L20 8l-1.5 10h-13z" />
    </Svg>
  );
}

/** The red envelope drawn in red packet bubbles (filled, not stroked). */
export function EnvelopeArt({ size = 34 }: { size?: number }) {
  return (
    <svg width={size * 0.8} height={size} viewBox="0 0 32 40" aria-hidden="true" focusable="false" class="envelope-art">
      <rect x="1" y="1" width="30" height="38" rx="4" fill="#F8D9A3" />
      <rect x="2.5" y="2.5" width="27" height="35" rx="3" fill="#E8513A" />
      <path d="M2.5 6a3 3 0 0 1 3-3.5h21a3 3 0 0 1 3 3.5v7c-4 3.4-8.4 5-13.5 5S6.5 16.4 2.5 13z" fill="#F06A4D" />
      <circle cx="16" cy="17.5" r="4.8" fill="#F8C867" />
      <circle cx="16" cy="17.5" r="3.2" fill="none" stroke="#D9A13A" stroke-width="1" />
    </svg>
  );
}

export function StoreIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path d="M4 9.5 5.5 5h13L20 9.5" />
      <path d="M4 9.5a2.7 2.7 0 0 0 5.3 0 2.7 2.7 0 0 0 5.4 0 2.7 2.7 0 0 0 5.3 0" />
      <path d="M5.5 12v7h13v-7M10 19v-4h4v4" />
    </Svg>
  );
}

export function CopyIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="8.5" y="8.5" width="11" height="11" rx="2" />
      <path d="M15.5 8.5V6.5a2 2 0 0 0-2-2h-7a2 2 0 0 0-2 2v7a2 2 0 0 0 2 2h2" />
    </Svg>
  );
}

/** Discover → Live: a screen with a play mark and broadcast waves. */
export function LiveIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="3.5" y="6" width="17" height="13" rx="2.5" />
      <path d="M10.5 10v5l4-2.5z" fill="currentColor" />
      <path d="M8.5 3l3.5 3 3.5-3" />
    </Svg>
  );
}
