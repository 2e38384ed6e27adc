// Package media is Plaza's live video server: a selective forwarding unit
// (SFU) built on pion/webrtc, inside the Plaza binary. A room's host
// publishes once with WHIP (Server.Publish); every viewer plays with WHEP
// (Server.Play) and gets the host's RTP forwarded, never transcoded.
//
// # Media port
//
// All media of a node, every publisher and every viewer, goes through ONE
// UDP port (Config.UDPPort, the --media-port flag), demultiplexed by ICE
// username. Signalling is non-trickle: Publish and Play wait until the
// node's candidates are gathered, so the SDP answer already names the
// address the peer must send to. That address is Config.PublicIP (the
// --media-ip flag) when set: the node binds ListenIP (0.0.0.0 by default)
// and advertises PublicIP:UDPPort as its only host candidate (one-to-one
// NAT, as on a cloud VM with an elastic address). No STUN or TURN server
// is used. With PublicIP empty the node binds and advertises 127.0.0.1: it
// serves browsers on the same machine only (tests, a laptop demo).
//
// A deployment therefore exposes, on every node, the HTTP port (for WHIP
// and WHEP signalling) and the UDP media port, open inbound from anywhere,
// with --media-ip set to the address viewers reach that node at.
//
// # Rooms across nodes
//
// A room belongs to the node its host publishes to. Play on another node
// asks the owner over the bus (subject "<prefix>.live.media.room.<roomID>",
// answered on "<prefix>.live.media.reply.<nodeID>"); the owner creates the
// viewer's PeerConnection itself and answers with its SDP, whose candidate
// is the owner's own media IP:port, so the viewer's media flows straight
// from the owning node and the asking node only relayed the two SDP
// blobs. Stop of such a session on a non-owner is forwarded the same way.
// Without an answer within a few seconds Play answers not_live.
//
// # Simulcast
//
// A host may send up to a few simulcast layers (a=rid, as Chrome and OBS
// send "f", "h", "q"). A viewer starts on the highest layer; its receiver
// reports (fraction lost) and REMB estimates move it down a layer when
// loss is high or the estimate is below the layer's bitrate, and back up
// once loss has stayed low for a while. Switching waits for a keyframe of
// the new layer (requested with PLI) and rewrites sequence numbers and
// timestamps so the viewer's decoder sees one continuous stream. Each
// viewer has its own bounded queue: a slow viewer loses its own packets,
// never the host's or other viewers'.
package media
