/* Redoc at /api/redoc/: its settings come from the page's JSON data block (no inline script). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("redoc-config").textContent);
  window.Redoc.init(config.schemaUrl, config.settings || {},
                    document.getElementById("redoc-container"));
})();
