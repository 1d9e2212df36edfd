// Caseline console: the inbox refreshes itself. Every 30 seconds the element marked
// data-refresh fetches its list again and replaces its content, unless the keyboard focus
// is inside it (someone is typing an outcome) or the tab is hidden.
(function () {
  'use strict';
  function refresh(box) {
    return window.fetch(box.getAttribute('data-refresh'), { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) {
        // Signed out meanwhile (the session idled away): show the sign-in page itself.
        if (r.redirected) { window.location.assign(r.url); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html !== null) { box.innerHTML = html; } })
      .catch(function () { /* offline for a moment: try at the next tick */ });
  }
  function start() {
    var box = document.querySelector('[data-refresh]');
    if (!box) { return; }
    // One refresh now, for whoever needs it without waiting (the browser test).
    window.caselineRefresh = function () { return refresh(box); };
    window.setInterval(function () {
      if (document.hidden || box.contains(document.activeElement)) { return; }
      refresh(box);
    }, 30000);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
