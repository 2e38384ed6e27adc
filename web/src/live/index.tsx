// The live rooms' pages, one chunk downloaded when first shown.
export { ListPage } from './ListPage';
export { RoomPage } from './RoomPage';
export { HostPage } from './HostPage';
