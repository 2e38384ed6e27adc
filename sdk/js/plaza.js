/*
 * Plaza mini-program bridge, served to every mini-program page as
 * /__plaza/sdk.js. Defines window.plaza (alias window.wx).
 *
 * The page runs in a sandboxed iframe (opaque origin) inside the Plaza
 * client. Calls go to the host with window.parent.postMessage; answers are
 * accepted only from window.parent and only for ids we asked about. The
 * launch nonce comes from location.hash (#plaza_nonce=…), is kept here and is
 * removed from the visible URL.
 *
 * Every method returns a Promise and also takes WeChat-style callbacks:
 *   plaza.login({ success(res) {}, fail(err) {}, complete() {} })
 * fail/reject get { errMsg: "<method>:fail <reason>" }.
 *
 * Plain ES2017, no dependencies, no build step.
 */
(function () {
  'use strict';

  if (window.plaza && window.plaza.__plazaBridge) return;

  var VERSION = '1.0.0';
  var TIMEOUT_MS = 5 * 60 * 1000;

  // --- the launch nonce: read once, then hidden from the page's URL ---
  var nonce = (function () {
    var hash = String(location.hash || '').replace(/^#/, '');
    var found = '';
    var rest = [];
    hash.split('&').forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf('=');
      var k = eq < 0 ? part : part.slice(0, eq);
      if (k === 'plaza_nonce') {
        if (!found) {
          try {
            found = decodeURIComponent(part.slice(eq + 1));
          } catch (e) {
            found = '';
          }
        }
      } else {
        rest.push(part);
      }
    });
    if (found) {
      try {
        var clean = location.pathname + location.search + (rest.length ? '#' + rest.join('&') : '');
        history.replaceState(history.state, '', clean);
      } catch (e) {
        /* some sandboxes refuse; the nonce is still kept here */
      }
    }
    return found;
  })();

  var seq = 0;
  var pending = Object.create(null);
  var prefix = Math.random().toString(36).slice(2, 10) + '-';

  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || window.parent === window) return;
    var d = event.data;
    if (!d || typeof d !== 'object' || d.plaza !== 1 || typeof d.id !== 'string') return;
    var p = pending[d.id];
    if (!p) return;
    delete pending[d.id];
    clearTimeout(p.timer);
    if (d.error) {
      var msg = d.error && typeof d.error.errMsg === 'string' ? d.error.errMsg : p.method + ':fail';
      p.reject({ errMsg: msg });
    } else {
      p.resolve(d.result === undefined ? {} : d.result);
    }
  });

  function call(method, args) {
    return new Promise(function (resolve, reject) {
      if (window.parent === window) {
        reject({ errMsg: method + ':fail not running inside Plaza' });
        return;
      }
      var id = prefix + ++seq;
      var timer = setTimeout(function () {
        if (!pending[id]) return;
        delete pending[id];
        reject({ errMsg: method + ':fail timeout' });
      }, TIMEOUT_MS);
      pending[id] = { method: method, resolve: resolve, reject: reject, timer: timer };
      try {
        window.parent.postMessage({ plaza: 1, id: id, method: method, args: args, nonce: nonce }, '*');
      } catch (e) {
        delete pending[id];
        clearTimeout(timer);
        reject({ errMsg: method + ':fail ' + (e && e.message ? e.message : 'cannot reach Plaza') });
      }
    });
  }

  /** Picks the plain data out of an options object (callbacks stay here). */
  function pick(opts, keys) {
    var out = {};
    if (!opts || typeof opts !== 'object') return out;
    keys.forEach(function (k) {
      if (opts[k] !== undefined && typeof opts[k] !== 'function') out[k] = opts[k];
    });
    return out;
  }

  function cloneable(value) {
    if (value === undefined) return null;
    return JSON.parse(JSON.stringify(value));
  }

  /** Wraps a promise-returning fn so it also honours success/fail/complete. */
  function api(method, build) {
    return function (opts) {
      var o = opts && typeof opts === 'object' ? opts : {};
      var promise;
      try {
        promise = call(method, build ? build(o) : {});
      } catch (e) {
        promise = Promise.reject({ errMsg: method + ':fail ' + (e && e.message ? e.message : 'invalid arguments') });
      }
      var hasCb = typeof o.success === 'function' || typeof o.fail === 'function' || typeof o.complete === 'function';
      if (!hasCb) return promise;
      promise.then(
        function (res) {
          if (typeof o.success === 'function') o.success(res);
          if (typeof o.complete === 'function') o.complete(res);
        },
        function (err) {
          if (typeof o.fail === 'function') o.fail(err);
          if (typeof o.complete === 'function') o.complete(err);
        }
      );
      // Callback style: the returned promise never rejects unhandled.
      return promise.catch(function (err) {
        return err;
      });
    };
  }

  function fail(method, reason) {
    var e = { errMsg: method + ':fail ' + reason };
    throw { message: reason, errMsg: e.errMsg };
  }

  var plaza = {
    __plazaBridge: true,
    version: VERSION,

    login: api('login'),

    getUserProfile: api('getUserProfile', function (o) {
      return { desc: o.desc === undefined ? '' : String(o.desc) };
    }),

    requestPayment: api('requestPayment', function (o) {
      return pick(o, ['timeStamp', 'nonceStr', 'package', 'signType', 'paySign']);
    }),

    setStorage: api('setStorage', function (o) {
      if (typeof o.key !== 'string' || !o.key) fail('setStorage', 'invalid key');
      return { key: o.key, data: cloneable(o.data) };
    }),

    getStorage: api('getStorage', function (o) {
      if (typeof o.key !== 'string' || !o.key) fail('getStorage', 'invalid key');
      return { key: o.key };
    }),

    removeStorage: api('removeStorage', function (o) {
      if (typeof o.key !== 'string' || !o.key) fail('removeStorage', 'invalid key');
      return { key: o.key };
    }),

    navigateTo: api('navigateTo', function (o) {
      if (typeof o.url !== 'string' || !o.url) fail('navigateTo', 'invalid url');
      return pick(o, ['url', 'title']);
    }),

    navigateBack: api('navigateBack', function (o) {
      return { delta: typeof o.delta === 'number' ? o.delta : 1 };
    }),

    setNavigationBarTitle: api('setNavigationBarTitle', function (o) {
      return { title: o.title === undefined ? '' : String(o.title) };
    }),

    showToast: api('showToast', function (o) {
      return pick(o, ['title', 'icon', 'duration']);
    }),

    showModal: api('showModal', function (o) {
      return pick(o, ['title', 'content', 'showCancel', 'confirmText', 'cancelText']);
    }),

    getSystemInfo: api('getSystemInfo'),

    // Plaza's own: leave the app for its shop's live room (Discover →
    // Live), plaza.openLiveRoom({room_id: 'lr_…'}).
    openLiveRoom: api('openLiveRoom', function (o) {
      return { room_id: o.room_id === undefined ? '' : String(o.room_id) };
    }),
  };

  Object.freeze(plaza);
  try {
    Object.defineProperty(window, 'plaza', { value: plaza, configurable: false, writable: false, enumerable: true });
    Object.defineProperty(window, 'wx', { value: plaza, configurable: false, writable: false, enumerable: true });
  } catch (e) {
    window.plaza = plaza;
    window.wx = plaza;
  }
})();
