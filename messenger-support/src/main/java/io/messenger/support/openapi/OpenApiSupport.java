package io.messenger.support.openapi;

import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.Limits;
import io.messenger.model.Operation;
import io.messenger.model.SystemNotification;
import io.messenger.model.UserId;
import io.messenger.support.security.Caller;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.LinkedHashSet;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The OpenAPI document at {@code /v3/api-docs} of each service: titled after the service, with the
 * {@code bearer} (client JWT) security scheme on {@code /v1} and the {@code serviceToken} scheme on
 * {@code /internal}, id types as patterned strings, and the problem-detail responses of every
 * operation added by {@link ProblemResponses} so that controllers only declare their 2xx answers
 * and their domain-specific refusals.
 */
@AutoConfiguration
@ConditionalOnClass({OpenAPI.class, OpenApiCustomizer.class})
public class OpenApiSupport {

  /** The security scheme of client tokens ({@code /v1}). */
  public static final String CLIENT_SCHEME = "bearer";

  /** The security scheme of service tokens ({@code /internal}). */
  public static final String SERVICE_SCHEME = "serviceToken";

  static {
    // Id records travel as plain strings (@JsonValue): document them so.
    SpringDocUtils.getConfig()
        .replaceWithSchema(UserId.class, id("a user id"))
        .replaceWithSchema(DeviceId.class, id("a device id"))
        .replaceWithSchema(ConversationId.class, id("a conversation id"))
        .replaceWithSchema(
            InboxCursor.class,
            new StringSchema()
                .pattern("^(0|[1-9][0-9]{0,18})-(0|[1-9][0-9]{0,18})$")
                .description("an inbox cursor, opaque to clients")
                .example("1767225600000-0"))
        .replaceWithSchema(Operation.class, operationSchema())
        .replaceWithSchema(SystemNotification.class, notificationSchema())
        // The authenticated caller is resolved from the token, not a request parameter.
        .addRequestWrapperToIgnore(Caller.class);
  }

  /** An operation: exactly one variant matches, told apart by the constant {@code type}. */
  private static Schema<?> operationSchema() {
    Schema<?> schema = new Schema<>();
    schema.description("what an operation does; the variant is named by type");
    schema.oneOf(
        List.of(
            variant("delete_for_me", "targetSeq"),
            variant("recall", "targetSeq"),
            variant("edit", "targetSeq", "text"),
            variant("read", "upToSeq")));
    return schema;
  }

  private static Schema<?> variant(String type, String... fields) {
    ObjectSchema schema = new ObjectSchema();
    schema.addProperty("type", new StringSchema()._enum(List.of(type)));
    List<String> required = new java.util.ArrayList<>(List.of("type"));
    for (String field : fields) {
      schema.addProperty(
          field,
          field.equals("text")
              ? new StringSchema().minLength(1)
              : new IntegerSchema().format("int64").minimum(java.math.BigDecimal.ONE));
      required.add(field);
    }
    schema.required(required);
    return schema;
  }

  /**
   * A system notification: {@code conversation.created}, {@code member.added}, {@code
   * member.removed}, or a custom one of another back-end service (its own dotted {@code type}, a
   * {@code notificationId} and a free-form {@code payload}).
   */
  private static Schema<?> notificationSchema() {
    ObjectSchema schema = new ObjectSchema();
    schema.description(
        "conversation.created {conversationType, title, members, createdBy, memberCount?};"
            + " member.added and member.removed {members, by, count?}: in a large group members"
            + " lists the first 100 by id and memberCount / count says how many there are; any"
            + " other dotted type is a custom notification {notificationId, type, payload} of"
            + " another back-end service");
    Schema<Object> nullableTitle = new Schema<>();
    nullableTitle.types(new LinkedHashSet<>(List.of("string", "null")));
    schema
        .addProperty(
            "type", new StringSchema().pattern("^[a-z0-9_]+(\\.[a-z0-9_]+)*$").maxLength(64))
        .addProperty("conversationType", new StringSchema()._enum(List.of("direct", "group")))
        .addProperty("title", nullableTitle)
        .addProperty("members", new ArraySchema().items(id("a user id")))
        .addProperty("createdBy", id("a user id"))
        .addProperty("by", id("a user id"))
        .addProperty("memberCount", new IntegerSchema().minimum(java.math.BigDecimal.ONE))
        .addProperty("count", new IntegerSchema().minimum(java.math.BigDecimal.ONE))
        .addProperty("notificationId", new StringSchema())
        .addProperty("payload", new ObjectSchema());
    schema.required(List.of("type"));
    return schema;
  }

  private static StringSchema id(String description) {
    StringSchema schema = new StringSchema();
    schema.pattern("^" + Limits.ID_PATTERN.pattern() + "$").description(description);
    return schema;
  }

  @Bean
  @ConditionalOnMissingBean
  OpenAPI messengerOpenApi(
      @Value("${spring.application.name:messenger}") String service,
      @Value("${messenger.api.description:}") String description) {
    return new OpenAPI()
        .info(
            new Info()
                .title("messenger " + service)
                .version("v1")
                .description(description)
                .license(new License().name("Proprietary").identifier("LicenseRef-Proprietary")))
        // Relative: the document describes the instance that serves it, wherever it runs.
        .servers(List.of(new Server().url("/").description("this instance")))
        .components(
            new Components()
                .addSecuritySchemes(
                    CLIENT_SCHEME,
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .bearerFormat("JWT")
                        .description(
                            "A client token: HS256 JWT with claims sub (user id), did (device id)"
                                + " and exp."))
                .addSecuritySchemes(
                    SERVICE_SCHEME,
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .bearerFormat("JWT")
                        .description(
                            "A service token: HS256 JWT signed with the internal secret, audience"
                                + " messenger-internal. Client tokens are refused.")))
        .addSecurityItem(new SecurityRequirement().addList(CLIENT_SCHEME));
  }

  @Bean
  OpenApiCustomizer messengerProblemResponses() {
    return new ProblemResponses();
  }
}
