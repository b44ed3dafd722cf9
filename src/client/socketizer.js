// Socketizer browser client: keeps one socket per page and reloads on refreshPost frames.
;(function () {
  'use strict'
  var script = document.currentScript
  var config = window.socketizer || {}
  if (!config.host || !script) return
  var base = new URL(script.src, location.href)
  var url =
    (base.protocol === 'https:' ? 'wss://' : 'ws://') +
    base.host +
    '/service/wordpress/live/' +
    config.host
  var stopCodes = { 4400: 1, 4403: 1, 1009: 1 }
  var slowCodes = { 4429: 1, 4503: 1 }
  var attempt = 0

  function delay(code) {
    var cap = slowCodes[code] ? 300000 : 30000
    var floor = slowCodes[code] ? 60000 : 1000
    return Math.random() * Math.min(cap, floor * Math.pow(2, attempt++))
  }

  function connect() {
    var socket = new WebSocket(url)
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data)
      if (frame.Data && frame.Data.message === 'socketizer connected') attempt = 0
      if (frame.Data && frame.Data.cmd === 'refreshPost') location.reload()
    }
    socket.onclose = function (event) {
      if (stopCodes[event.code]) return
      setTimeout(connect, delay(event.code))
    }
  }
  connect()
})()
