/*
 * Tortie Connect launcher (like Plaid Link): opens Connect in a popup and hands the result back
 * to the page through postMessage. Usage, on a page of your registered redirect URI's origin:
 *
 *   <script src="https://tortie.example/connect/connect.js"></script>
 *   TortieConnect.open({
 *     url: 'https://tortie.example/connect?client_id=…&redirect_uri=…&code_challenge=…&code_challenge_method=S256&state=…',
 *     onSuccess: function (r) { // r.code, r.state — exchange r.code at /oauth/token },
 *     onExit: function (r) { // r.error: 'access_denied' or 'closed', r.state },
 *   });
 *
 * Connect posts only to the origin of the registered redirect URI, and this script accepts
 * messages only from the Tortie origin of `url` and from the popup it opened.
 */
(function () {
  'use strict';
  function open(options) {
    var url = new URL(options.url, window.location.href);
    var tortieOrigin = url.origin;
    var w = 480, h = 720;
    var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || w) - w) / 2);
    var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || h) - h) / 2);
    var popup = window.open(url.toString(), 'tortie-connect', 'popup,width=' + w + ',height=' + h + ',left=' + left + ',top=' + top);
    if (!popup) {
      // popups blocked: fall back to a full-page redirect flow
      window.location.assign(url.toString());
      return { close: function () {} };
    }
    var done = false;
    function finish(fn, value) {
      if (done) return;
      done = true;
      window.removeEventListener('message', onMessage);
      clearInterval(timer);
      if (typeof fn === 'function') fn(value);
    }
    function onMessage(event) {
      if (event.origin !== tortieOrigin || event.source !== popup) return;
      var d = event.data;
      if (!d || d.source !== 'tortie-connect') return;
      if (d.code) finish(options.onSuccess, { code: d.code, state: d.state });
      else finish(options.onExit, { error: d.error || 'access_denied', state: d.state });
    }
    window.addEventListener('message', onMessage);
    var timer = setInterval(function () {
      if (popup.closed) finish(options.onExit, { error: 'closed', state: null });
    }, 500);
    return {
      close: function () {
        try { popup.close(); } catch (e) { /* already closed */ }
        finish(options.onExit, { error: 'closed', state: null });
      },
    };
  }
  window.TortieConnect = { open: open };
})();
