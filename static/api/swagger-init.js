/* Swagger UI at /api/docs/, started by this static file instead of drf-spectacular's inline
   script (Content-Security-Policy: no inline script). The settings, the schema's address and the
   CSRF header come from the page's JSON data block "swagger-config" (api/docs.py). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-config").textContent);
  var authNames = config.schemaAuthNames || [];
  var schemaAuthFailed = false;
  var ui = null;
  var plugins = [];

  function reloadSchema() {
    schemaAuthFailed = false;
    window.setTimeout(function () { ui.specActions.download(); });
  }

  // Logging in or out in the "Authorize" dialog reloads the schema with the new credentials.
  if (authNames.length > 0) {
    plugins.push(function () {
      var wrap = function (original) {
        return function () { reloadSchema(); return original.apply(null, arguments); };
      };
      return {statePlugins: {auth: {wrapActions: {
        authorizeOauth2: wrap, authorize: wrap, logout: wrap
      }}}};
    });
  }

  function isSchemaUrl(url) {
    return ui !== null && url === new URL(ui.getConfigs().url, document.baseURI).href;
  }

  function authorized() {
    if (ui !== null) {
      var state = ui.getState().get("auth").get("authorized");
      if (state !== undefined && Object.keys(state.toJS()).length !== 0) return state.toJS();
      return undefined;
    }
    var stored = window.localStorage.authorized;
    return stored === undefined || stored === "{}" ? undefined : JSON.parse(stored);
  }

  function injectAuthCredentials(request) {
    var known = authorized();
    if (known === undefined) return;
    for (var i = 0; i < authNames.length; i++) {
      var auth = known[authNames[i]];
      if (auth === undefined || auth.schema === undefined) continue;
      var schema = auth.schema;
      if (schema.type === "http" && schema.scheme === "bearer") {
        request.headers.Authorization = "Bearer " + auth.value;
        return;
      } else if (schema.type === "http" && schema.scheme === "basic") {
        request.headers.Authorization =
          "Basic " + window.btoa(auth.value.username + ":" + auth.value.password);
        return;
      } else if (schema.type === "apiKey" && schema.in === "header") {
        request.headers[schema.name] = auth.value;
        return;
      } else if (schema.type === "oauth2" && auth.token.token_type === "Bearer") {
        request.headers.Authorization = "Bearer " + auth.token.access_token;
        return;
      }
    }
  }

  function requestInterceptor(request) {
    if (request.loadSpec && authNames.length > 0 && !schemaAuthFailed) {
      try {
        injectAuthCredentials(request);
      } catch (error) {
        console.error("schema auth injection failed with error: ", error);
      }
    }
    // "Try it out" with the session: unsafe methods carry the CSRF token, as a form would.
    if (request.method !== undefined && request.method !== "GET" &&
        request.credentials === "same-origin") {
      request.headers[config.csrfHeaderName] = config.csrfToken;
    }
    return request;
  }

  function responseInterceptor(response) {
    if (!response.ok && isSchemaUrl(response.url) && !schemaAuthFailed) {
      // Retry once without credentials (they may have expired).
      schemaAuthFailed = true;
      window.setTimeout(function () { ui.specActions.download(); });
    }
    return response;
  }

  ui = window.SwaggerUIBundle(Object.assign({
    url: config.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    plugins: plugins,
    layout: "BaseLayout",
    requestInterceptor: requestInterceptor,
    responseInterceptor: responseInterceptor
  }, config.settings || {}));
  if (config.oauth2Config) ui.initOAuth(config.oauth2Config);
})();
