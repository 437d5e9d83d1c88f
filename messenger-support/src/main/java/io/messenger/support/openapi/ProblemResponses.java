package io.messenger.support.openapi;

import io.messenger.support.problem.ProblemType;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.core.Ordered;

/**
 * Adds to every operation the RFC 9457 problem responses it can answer, all with the {@code
 * application/problem+json} {@code ProblemDetail} schema: 400 when it takes parameters or a body,
 * 401 when it needs a token, 404 when its path names a resource, 413 and 415 when it takes a body,
 * 503 (with {@code Retry-After}) for a store that cannot be reached. Responses a controller
 * declares itself (403, 409, 429, ...) keep their description and get the same problem content.
 * Paths under {@code /dev/} (the local profile's token endpoint) are not part of the contract and
 * are left out.
 */
class ProblemResponses implements OpenApiCustomizer, Ordered {

  static final String PROBLEM = "ProblemDetail";
  static final String PROBLEM_MEDIA_TYPE = "application/problem+json";
  static final String RETRY_AFTER = "Retry-After";

  private static final Map<String, String> DESCRIPTIONS =
      Map.of(
          "400", "The request is invalid (parameters or body); see `type` and `detail`",
          "401", "The bearer token is missing, expired, unsigned or badly signed",
          "403", "The caller may not do this",
          "404", "No such resource for this caller",
          "409", "The request conflicts with the current state",
          "413", "The request body, or a field of it, is too large",
          "415", "The request body is not `application/json`",
          "429", "Too many requests; wait `Retry-After` seconds",
          "503", "A store is temporarily unavailable; retry after `Retry-After` seconds");

  /** Last, so that responses other customizers declare get their problem content too. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }

  @Override
  public void customise(OpenAPI openApi) {
    Components components = openApi.getComponents();
    if (components == null) {
      components = new Components();
      openApi.setComponents(components);
    }
    components.addSchemas(PROBLEM, problemSchema());
    components.addHeaders(
        RETRY_AFTER,
        new Header()
            .description("Seconds to wait before retrying")
            .schema(new IntegerSchema().minimum(java.math.BigDecimal.ONE)));
    allowNullWhenOptional(components);
    if (openApi.getPaths() == null) {
      return;
    }
    openApi.getPaths().keySet().removeIf(path -> path.startsWith("/dev/"));
    if (components.getSchemas() != null) {
      components.getSchemas().remove("TokenRequest"); // the body of /dev/tokens
    }
    openApi
        .getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap().forEach((method, op) -> customise(path, method, op)));
  }

  private static void customise(String path, PathItem.HttpMethod method, Operation op) {
    boolean internal = path.startsWith("/internal/");
    boolean secured = internal || path.startsWith("/v1/");
    if (internal) {
      op.setSecurity(List.of(new SecurityRequirement().addList(OpenApiSupport.SERVICE_SCHEME)));
    }
    if (op.getResponses() == null) {
      op.setResponses(new ApiResponses());
    }
    ApiResponses responses = op.getResponses();
    boolean body = op.getRequestBody() != null;
    boolean parameters = op.getParameters() != null && !op.getParameters().isEmpty();
    if (body || parameters) {
      add(responses, "400");
    }
    if (secured) {
      add(responses, "401");
    }
    if (path.contains("{")) {
      add(responses, "404");
    }
    if (body) {
      add(responses, "413");
      add(responses, "415");
    }
    if (secured) {
      add(responses, "503");
    }
    // Our answers and bodies are JSON, whatever the handler's signature lets springdoc guess.
    responses.values().forEach(r -> json(r.getContent()));
    if (body) {
      json(op.getRequestBody().getContent());
    }
    // Every refusal, declared here or by the controller, is a problem detail.
    TreeMap<String, ApiResponse> sorted = new TreeMap<>(responses);
    responses.clear();
    sorted.forEach(
        (code, response) -> {
          if (code.startsWith("4") || code.startsWith("5")) {
            problem(code, response);
          }
          responses.addApiResponse(code, response);
        });
  }

  /**
   * Optional properties may be null as well as absent (records answer {@code "title": null}, {@code
   * "resync": null}): every property a schema does not require also admits {@code null}.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void allowNullWhenOptional(Components components) {
    if (components.getSchemas() == null) {
      return;
    }
    components
        .getSchemas()
        .forEach(
            (name, schema) -> {
              if (schema.getProperties() == null || name.equals(PROBLEM)) {
                return;
              }
              List<String> required =
                  schema.getRequired() == null ? List.of() : schema.getRequired();
              Map<String, Schema> properties = schema.getProperties();
              properties.replaceAll(
                  (property, value) -> required.contains(property) ? value : nullable(value));
            });
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Schema nullable(Schema schema) {
    if (schema.get$ref() != null) {
      Schema none = new Schema<>();
      none.setTypes(new java.util.LinkedHashSet<>(List.of("null")));
      return new Schema<>().oneOf(List.of(new Schema<>().$ref(schema.get$ref()), none));
    }
    java.util.Set<String> types = new java.util.LinkedHashSet<>();
    if (schema.getTypes() != null) {
      types.addAll(schema.getTypes());
    } else if (schema.getType() != null) {
      types.add(schema.getType());
    }
    if (types.isEmpty() || types.contains("null")) {
      return schema;
    }
    types.add("null");
    schema.setTypes(types);
    return schema;
  }

  private static void json(Content content) {
    if (content != null && content.containsKey("*/*")) {
      content.addMediaType("application/json", content.remove("*/*"));
    }
  }

  private static void add(ApiResponses responses, String code) {
    responses.computeIfAbsent(code, c -> new ApiResponse());
  }

  private static void problem(String code, ApiResponse response) {
    if (response.getDescription() == null || response.getDescription().isBlank()) {
      response.setDescription(DESCRIPTIONS.getOrDefault(code, "A problem detail"));
    }
    response.setContent(
        new Content()
            .addMediaType(
                PROBLEM_MEDIA_TYPE,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
    if (code.equals("429") || code.equals("503")) {
      response.addHeaderObject(
          RETRY_AFTER, new Header().$ref("#/components/headers/" + RETRY_AFTER));
    }
  }

  private static Schema<?> problemSchema() {
    ObjectSchema error = new ObjectSchema();
    error
        .addProperty("field", new StringSchema())
        .addProperty("message", new StringSchema())
        .description("one invalid field");
    ObjectSchema problem = new ObjectSchema();
    problem
        .addProperty(
            "type",
            new StringSchema()
                .pattern("^" + ProblemType.PREFIX + "[a-z-]+$")
                .description(
                    "the stable problem type, `"
                        + ProblemType.PREFIX
                        + "<name>`; the catalogue is in docs/api.md")
                .example(ProblemType.VALIDATION.uri().toString()))
        .addProperty("title", new StringSchema().description("a short summary of the type"))
        .addProperty(
            "status",
            new IntegerSchema()
                .minimum(java.math.BigDecimal.valueOf(400))
                .description("the status"))
        .addProperty("detail", new StringSchema().description("what went wrong, for humans"))
        .addProperty("instance", new StringSchema().description("the request path"))
        .addProperty(
            "errors",
            new ArraySchema().items(error).description("the invalid fields (validation only)"));
    problem.required(List.of("type", "title", "status"));
    problem.description("An RFC 9457 problem detail");
    return problem;
  }
}
