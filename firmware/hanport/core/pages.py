# The dongle's status page: one self-contained HTML document (no CDN), readable on a phone,
# refreshing itself from /api/reading, /api/status and /api/history. User-visible text from the
# meter is escaped. Pure core: must not import machine, network, socket, time or asyncio.


def escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


_STATUS = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>hanport %(id)s</title>
<style>body{font-family:system-ui,sans-serif;margin:1em;max-width:40em}h1{font-size:1.3em}
.big{font-size:2.4em;font-weight:600}table{border-collapse:collapse;width:100%%}
td{padding:.2em .4em;border-bottom:1px solid #ddd}td.v{text-align:right;font-variant-numeric:tabular-nums}
.warn{background:#fff3cd;padding:.6em;border-radius:.3em}svg{width:100%%;height:8em;background:#f6f8fa}</style>
</head><body><h1>HAN port <span id="dev">%(id)s</span> &middot; <span id="model">%(model)s</span></h1>
<p id="hint" class="warn" hidden></p>
<div class="big"><span id="power">&ndash;</span> W</div><div id="age"></div>
<svg id="graph" viewBox="0 0 900 100" preserveAspectRatio="none" aria-label="power, last 15 minutes">
<polyline id="line" fill="none" stroke="#0969da" stroke-width="2" points=""/></svg>
<table id="values"></table><h2>Device</h2><table id="status"></table>
<script>
function row(t,k,v){var r=t.insertRow(),a=r.insertCell(),b=r.insertCell();a.textContent=k;b.textContent=v;b.className="v"}
function fill(id,o){var t=document.getElementById(id);t.innerHTML="";Object.keys(o).sort().forEach(function(k){
 var v=o[k];row(t,k,typeof v==="object"?JSON.stringify(v):v)})}
function tick(){
 fetch("/api/reading").then(function(r){return r.json()}).then(function(d){
  if(d.error){document.getElementById("power").textContent="\\u2013";return}
  document.getElementById("power").textContent=d.power_w;document.getElementById("model").textContent=d.meter_id;
  document.getElementById("age").textContent=d.meter_time+" ("+d.age_s+" s ago)";fill("values",d)}).catch(function(){});
 fetch("/api/status").then(function(r){return r.json()}).then(function(s){var h=document.getElementById("hint");
  if(s.meter_hint){h.textContent=s.meter_hint;h.hidden=false}else{h.hidden=true}
  fill("status",{meter:s.meter,uptime_s:s.uptime_s,heap_free:s.heap_free,wifi_rssi:s.wifi_rssi,
   last_telegram_age_s:s.last_telegram_age_s,telegrams_ok:s.telegrams&&s.telegrams.ok,
   crc_errors:s.telegrams&&s.telegrams.crc_error,mqtt:s.mqtt&&s.mqtt.state})}).catch(function(){});
 fetch("/api/history").then(function(r){return r.json()}).then(function(p){if(!p.length)return;
  var vs=p.map(function(x){return x[1]}),lo=Math.min(0,Math.min.apply(null,vs)),hi=Math.max(1,Math.max.apply(null,vs));
  document.getElementById("line").setAttribute("points",p.map(function(x){return (900-x[0]*1)+","+
   (95-90*(x[1]-lo)/(hi-lo)).toFixed(1)}).join(" "))}).catch(function(){});
}
tick();setInterval(tick,5000);
</script></body></html>"""


def status_page(device_id, meter_id):
    return _STATUS % {"id": escape(device_id), "model": escape(meter_id or "waiting for the meter")}
