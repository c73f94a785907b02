// Reloads the page when banmian serve -watch has rebuilt the site.
(function () {
  "use strict";
  if (!window.EventSource) return;
  var es = new EventSource("/desk/events");
  es.addEventListener("reload", function () { window.location.reload(); });
})();
