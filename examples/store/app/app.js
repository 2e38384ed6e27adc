// Gadget Store: shared state for every page — the catalog, the cart (kept in
// bridge storage, so it follows the user across devices), and the store
// backend's session, opened with plaza.login + jscode2session.
var STORE_BACKEND = "http://127.0.0.1:8082";
var CATALOG = [
  {id: "phone", name: "Nova 12 phone", price: 199900, img: "/img/phone.svg", blurb: "6.4\" OLED, 128 GB, all-day battery."},
  {id: "buds", name: "Pulse earbuds", price: 39900, img: "/img/buds.svg", blurb: "Noise cancelling, 30 h with the case."},
  {id: "charger", name: "65 W charger", price: 14900, img: "/img/charger.svg", blurb: "GaN, two USB-C ports."},
  {id: "watch", name: "Orbit watch", price: 89900, img: "/img/watch.svg", blurb: "Heart rate, GPS, 7-day battery."}
];
function yuan(fen) { return "¥" + (fen / 100).toFixed(2); }
function product(id) { return CATALOG.filter(function (p) { return p.id === id; })[0]; }
function getCart() {
  return plaza.getStorage({key: "cart"}).then(function (r) { return r.data || []; }, function () { return []; });
}
function saveCart(cart) { return plaza.setStorage({key: "cart", data: cart}); }
// The app runs in a sandboxed frame with no storage of its own (no
// sessionStorage, no cookies): the session lives for this page.
var storeSession = null;
function session() {
  if (storeSession) return storeSession;
  storeSession = plaza.login().then(function (r) {
    return fetch(STORE_BACKEND + "/api/login", {method: "POST", body: JSON.stringify({code: r.code})});
  }).then(function (res) { return res.json(); }).then(function (s) {
    if (!s.token) throw new Error(s.error || "login failed");
    return s;
  });
  storeSession.catch(function () { storeSession = null; });
  return storeSession;
}
function api(path, body) {
  return session().then(function (s) {
    return fetch(STORE_BACKEND + path, {method: body ? "POST" : "GET", headers: {"Authorization": "Bearer " + s.token},
      body: body ? JSON.stringify(body) : undefined});
  }).then(function (res) { return res.json(); });
}
