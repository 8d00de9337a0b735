// Test-only tap on the page's WebSockets, loaded before openvidu-browser (which stays unmodified): records every
// JSON-RPC notification the server sent (method and the connection it is about) and every socket opened and closed,
// so a test can count what reached the library, e.g. that no participantJoined came twice after a resume.
window.wsTap = { notifications: [], opened: [], closed: [], sent: [] };
(function () {
  const Native = window.WebSocket;
  function Tapped(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    window.wsTap.opened.push({ url: String(url), at: Date.now() });
    ws.addEventListener('close', e => window.wsTap.closed.push({ code: e.code, at: Date.now() }));
    ws.addEventListener('message', e => {
      try {
        const msg = JSON.parse(e.data);
        if (msg.method) {
          const p = msg.params || {};
          window.wsTap.notifications.push({ method: msg.method, about: p.id || p.connectionId || p.from || null,
            data: p.data || null, seq: p.seq || null, at: Date.now() });
        }
      } catch (notJson) {
        // not JSON-RPC: nothing to record
      }
    });
    const send = ws.send.bind(ws);
    ws.send = data => {
      try {
        const msg = JSON.parse(data);
        if (msg.method && msg.method !== 'ping') {
          window.wsTap.sent.push({ method: msg.method, at: Date.now() });
        }
      } catch (notJson) {
        // sent as it is
      }
      return send(data);
    };
    return ws;
  }
  Tapped.prototype = Native.prototype;
  Tapped.CONNECTING = Native.CONNECTING;
  Tapped.OPEN = Native.OPEN;
  Tapped.CLOSING = Native.CLOSING;
  Tapped.CLOSED = Native.CLOSED;
  window.WebSocket = Tapped;
})();
