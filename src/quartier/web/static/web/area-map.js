/* The start page map: the areas of one level as polygons on a plain background.
 *
 * No tile layer: city intranets are often closed, and the boundaries are what matters here.
 * Without JavaScript the level form reloads the page; with it, changing the level swaps the
 * table section and the polygons in place. The table stays the accessible equivalent of the map.
 */
(function () {
  "use strict";

  var mapElement = document.getElementById("map");
  var form = document.getElementById("level-form");
  if (!mapElement || !form || !window.L || !window.fetch) {
    return;
  }
  var select = form.querySelector("select[name=level]");
  var statusElement = document.getElementById("map-status");

  var baseStyle = { color: "#1d4f91", weight: 1.5, fillColor: "#4f86c6", fillOpacity: 0.2 };
  var activeStyle = { color: "#0b2545", weight: 3, fillColor: "#4f86c6", fillOpacity: 0.45 };

  mapElement.textContent = "";
  var map = L.map(mapElement, {
    attributionControl: false,
    zoomControl: false,
    zoomSnap: 0.25,
    minZoom: 3,
  });
  L.control
    .zoom({ zoomInTitle: mapElement.dataset.zoomIn, zoomOutTitle: mapElement.dataset.zoomOut })
    .addTo(map);
  map.setView([51.2, 10.4], 6);
  var areaLayer = null;

  function label(properties) {
    return properties.code + " " + properties.name;
  }

  function tooltipContent(properties) {
    // A text node, never HTML: area names come from imported files.
    var span = document.createElement("span");
    span.textContent = label(properties);
    return span;
  }

  function makeAccessible(feature, layer) {
    var element = layer.getElement();
    if (!element) {
      return;
    }
    element.setAttribute("tabindex", "0");
    element.setAttribute("role", "img");
    element.setAttribute("aria-label", label(feature.properties));
    L.DomEvent.on(element, "focus", function () {
      layer.setStyle(activeStyle);
    });
    L.DomEvent.on(element, "blur", function () {
      layer.setStyle(baseStyle);
    });
  }

  function showAreas(geojson) {
    if (areaLayer) {
      map.removeLayer(areaLayer);
    }
    areaLayer = L.geoJSON(geojson, {
      style: function () {
        return baseStyle;
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(tooltipContent(feature.properties), { sticky: true });
        layer.on("mouseover", function () {
          layer.setStyle(activeStyle);
        });
        layer.on("mouseout", function () {
          layer.setStyle(baseStyle);
        });
      },
    }).addTo(map);
    areaLayer.eachLayer(function (layer) {
      makeAccessible(layer.feature, layer);
    });
    var bounds = areaLayer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12] });
    }
    mapElement.dataset.areaCount = String(geojson.features.length);
  }

  function loadAreas(url) {
    return fetch(url, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("GeoJSON request failed: " + response.status);
        }
        return response.json();
      })
      .then(showAreas);
  }

  function currentList() {
    return document.getElementById("area-list");
  }

  var latestRequest = 0;

  function showLevel(level, pushHistory) {
    var query = new URLSearchParams({ level: level }).toString();
    var url = new URL(form.action).pathname + "?" + query;
    var request = ++latestRequest;
    return fetch(url, { headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("page request failed: " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (request !== latestRequest) {
          return null; // a later choice overtook this one
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        var list = page.getElementById("area-list");
        currentList().replaceWith(list);
        if (pushHistory) {
          window.history.pushState({ level: level }, "", url);
        }
        // The language switch returns to the level shown now, not the one first loaded.
        var next = document.querySelector(".language-switch input[name=next]");
        if (next) {
          next.value = url;
        }
        return loadAreas(list.dataset.geojsonUrl).then(function () {
          statusElement.textContent = list.dataset.status;
        });
      })
      .catch(function () {
        // Whatever went wrong, the plain form still works.
        window.location.assign(url);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showLevel(select.value, true);
  });
  // Changing the select only changes content below it, never the page or the focus.
  select.addEventListener("change", function () {
    showLevel(select.value, true);
  });
  window.addEventListener("popstate", function () {
    var level = new URLSearchParams(window.location.search).get("level");
    if (level) {
      select.value = level;
      showLevel(level, false);
    } else {
      window.location.reload();
    }
  });

  loadAreas(currentList().dataset.geojsonUrl);
})();
