-- KEYS: the user's large groups, the device's acks. Returns both hashes (flat field/value lists).
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
