package dev.tollgate.protocol.translate;

/**
 * What a translated answer says when its provider did not: an id derived from the request id, the
 * deployment's model, and the time. Clients' SDKs require all three.
 */
public record AnswerDefaults(String id, String model, long created) {}
